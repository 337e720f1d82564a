# gnuplot hybrid.gp (in this directory) renders hybrid.png from hybrid.dat
set terminal pngcairo size 900,560 noenhanced
set output "hybrid.png"
set title "Large workload: time against the GPU's work fraction F"
set xlabel "F (fraction of the work given to the GPU)"
set ylabel "time (ms, median)"
set grid
set key top left
set offsets 0, 0, graph 0.05, graph 0.05
plot "hybrid.dat" index 0 using 1:2 with linespoints title "hybrid:F (static split)", \
     "hybrid.dat" index 1 using 1:2 with linespoints title "CPU-Only", \
     "hybrid.dat" index 2 using 1:2 with linespoints title "Sim-Only (not a GPU)", \
     "hybrid.dat" index 3 using 1:2 with linespoints title "Dynamic hybrid"
