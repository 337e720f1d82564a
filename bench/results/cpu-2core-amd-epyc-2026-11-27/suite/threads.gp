# gnuplot threads.gp (in this directory) renders threads.png from threads.dat
set terminal pngcairo size 900,560 noenhanced
set output "threads.png"
set title "strategy=cpu speedup, Large (1000 align tasks)"
set xlabel "threads"
set ylabel "speedup over 1 thread"
set grid
set key top left
set offsets 0, 0, graph 0.05, graph 0.05
plot "threads.dat" index 0 using 1:2 with linespoints title "measured", \
     "threads.dat" index 1 using 1:2 with linespoints title "ideal (y = x)"
