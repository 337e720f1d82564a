# gnuplot tasks-speedup.gp (in this directory) renders tasks-speedup.png from tasks-speedup.dat
set terminal pngcairo size 900,560 noenhanced
set output "tasks-speedup.png"
set title "Speedup against task count (median of per-round ratios)"
set xlabel "tasks"
set ylabel "speedup"
set grid
set key top left
set offsets 0, 0, graph 0.05, graph 0.05
set logscale x
plot "tasks-speedup.dat" index 0 using 1:2 with linespoints title "sim (not a GPU) speedup (cpu time / sim time)", \
     "tasks-speedup.dat" index 1 using 1:2 with linespoints title "break-even"
