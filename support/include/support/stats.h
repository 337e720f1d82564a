/* Summaries of repeated measurements. */
#ifndef ACCELSTRAT_SUPPORT_STATS_H
#define ACCELSTRAT_SUPPORT_STATS_H

/* The median of v[0, n) (n >= 1), sorting v in place. */
double as__median(double *v, int n);

#endif
