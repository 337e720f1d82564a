# gnuplot tasks.gp (in this directory) renders tasks.png from tasks.dat
set terminal pngcairo size 900,560 noenhanced
set output "tasks.png"
set title "Time against task count (median)"
set xlabel "tasks"
set ylabel "time (ms)"
set grid
set key top left
set offsets 0, 0, graph 0.05, graph 0.05
set logscale x
set logscale y
plot "tasks.dat" index 0 using 1:2 with linespoints title "cpu (2 threads)", \
     "tasks.dat" index 1 using 1:2 with linespoints title "sim (not a GPU)"
