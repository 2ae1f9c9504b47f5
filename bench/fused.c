/* The limit: each expression's value and gradient hand-fused into one C loop, compiled by the
 * bench with gcc -O3 -march=native. Outputs are written into buffers allocated once and reused,
 * as the JavaScript side does with CompiledExpression.run(values, out).
 *
 * usage: fused EXPR_ID N REPS  ->  one line of JSON: {"ns_per_point": [...], "check": ...}
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

/* square(exp(square(x))): a = x^2, b = exp(a), y = b^2; dy/dx = 2b * b * 2x */
static void expr1(long n, const double *x, double *v, double *gx) {
  for (long i = 0; i < n; i++) {
    double a = x[i] * x[i];
    double b = exp(a);
    v[i] = b * b;
    gx[i] = 2 * x[i] * (b * (2 * b));
  }
}

/* tanh(x*y) + sin(x) / (1 + y^2) */
static void expr2(long n, const double *x, const double *y, double *v, double *gx, double *gy) {
  for (long i = 0; i < n; i++) {
    double a = x[i] * y[i];
    double t = tanh(a);
    double s = sin(x[i]);
    double d = 1 + y[i] * y[i];
    v[i] = t + s / d;
    double ga = 1 - t * t;
    gx[i] = ga * y[i] + cos(x[i]) / d;
    gy[i] = ga * x[i] + (-s / (d * d)) * (2 * y[i]);
  }
}

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  int id = atoi(argv[1]);
  long n = atol(argv[2]);
  int reps = atoi(argv[3]);
  double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
  double *v = malloc(n * sizeof *v), *gx = malloc(n * sizeof *gx), *gy = malloc(n * sizeof *gy);
  for (long i = 0; i < n; i++) {
    x[i] = -1 + 2 * (double)i / n;
    y[i] = 0.5 + (double)i / n;
  }
  printf("{\"ns_per_point\": [");
  for (int r = 0; r < reps; r++) {
    double t0 = now_ns();
    if (id == 1) expr1(n, x, v, gx); else expr2(n, x, y, v, gx, gy);
    double t1 = now_ns();
    printf("%s%.3f", r ? ", " : "", (t1 - t0) / n);
  }
  long k = n / 3;
  printf("], \"check\": %.17g}\n", v[k] + gx[k] + (id == 1 ? 0 : gy[k]));
  return 0;
}
