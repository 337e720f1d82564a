# gnuplot scale.gp (in this directory) renders scale.png from scale.dat
set terminal pngcairo size 1000,480 noenhanced
set output "scale.png"
set multiplot layout 1,2 title "accelstrat-report: time and peak memory against the index's functions"
set logscale xy
set grid
set key bottom right
set xlabel "functions"
set ylabel "wall time (s)"
plot "scale.dat" index 0 using 1:3 with linespoints title "RATE 0.1 (copies 81-90% similar)", \
     "scale.dat" index 1 using 1:3 with linespoints title "RATE 0.3 (copies under the threshold)"
set ylabel "peak RSS (MiB)"
plot "scale.dat" index 0 using 1:4 with linespoints title "RATE 0.1", \
     "scale.dat" index 1 using 1:4 with linespoints title "RATE 0.3"
unset multiplot
