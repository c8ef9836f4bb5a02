package io.lipsyncguard.models;

/** Deterministic L2-regularised logistic regression by Newton/IRLS, for calibrating model read-outs. */
public final class LogisticFit {

    private static final int MAX_ITER = 100;
    private static final double TOL = 1e-10;

    private LogisticFit() {
    }

    /**
     * Fits P(y=1|x) = sigmoid(b + w.x). {@code l2} penalises the weights (not the bias) and keeps separable data
     * finite; use a small positive value. Returns [b, w1, w2, ...].
     */
    public static double[] fit(double[][] x, int[] y, double l2) {
        if (x.length == 0 || x.length != y.length) {
            throw new IllegalArgumentException("need the same non-zero number of rows in x and y: " + x.length + " vs " + y.length);
        }
        if (!(l2 >= 0)) {
            throw new IllegalArgumentException("l2 must be >= 0 but is " + l2);
        }
        int d = x[0].length + 1;
        double[] beta = new double[d];
        double loss = loss(x, y, beta, l2);
        for (int iter = 0; iter < MAX_ITER; iter++) {
            double[] grad = new double[d];
            double[][] hess = new double[d][d];
            for (int i = 0; i < x.length; i++) {
                double[] row = design(x[i], d);
                double p = SyncBaselineFeatures.sigmoid(dot(row, beta));
                double w = Math.max(p * (1 - p), 1e-12);
                for (int a = 0; a < d; a++) {
                    grad[a] += (y[i] - p) * row[a];
                    for (int b = 0; b < d; b++) {
                        hess[a][b] += w * row[a] * row[b];
                    }
                }
            }
            for (int a = 1; a < d; a++) {
                grad[a] -= l2 * beta[a];
                hess[a][a] += l2;
            }
            // A tiny ridge on the bias keeps the Hessian invertible when all labels are equal.
            hess[0][0] += 1e-9;
            double[] step = solve(hess, grad);
            double scale = 1.0;
            double[] next = new double[d];
            double nextLoss;
            // Step halving makes the iteration monotone even far from the optimum.
            do {
                for (int a = 0; a < d; a++) {
                    next[a] = beta[a] + scale * step[a];
                }
                nextLoss = loss(x, y, next, l2);
                scale /= 2;
            } while (nextLoss > loss + 1e-12 && scale > 1e-10);
            double change = 0;
            for (int a = 0; a < d; a++) {
                change = Math.max(change, Math.abs(next[a] - beta[a]));
            }
            beta = next.clone();
            if (change < TOL || Math.abs(loss - nextLoss) < TOL * (1 + Math.abs(loss))) {
                break;
            }
            loss = nextLoss;
        }
        return beta;
    }

    /** Probability under fitted coefficients [b, w...]. */
    public static double predict(double[] beta, double[] x) {
        return SyncBaselineFeatures.sigmoid(dot(design(x, beta.length), beta));
    }

    private static double loss(double[][] x, int[] y, double[] beta, double l2) {
        double l = 0;
        for (int i = 0; i < x.length; i++) {
            double z = dot(design(x[i], beta.length), beta);
            // log(1+exp(z)) - y*z, written to avoid overflow
            l += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y[i] * z;
        }
        for (int a = 1; a < beta.length; a++) {
            l += 0.5 * l2 * beta[a] * beta[a];
        }
        return l;
    }

    private static double[] design(double[] x, int d) {
        if (x.length + 1 != d) {
            throw new IllegalArgumentException("row has " + x.length + " features, expected " + (d - 1));
        }
        double[] r = new double[d];
        r[0] = 1;
        System.arraycopy(x, 0, r, 1, x.length);
        return r;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Gaussian elimination with partial pivoting on a copy. */
    private static double[] solve(double[][] a0, double[] b0) {
        int n = b0.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = a0[i].clone();
        }
        double[] b = b0.clone();
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) {
                    piv = r;
                }
            }
            double[] tr = a[c];
            a[c] = a[piv];
            a[piv] = tr;
            double tb = b[c];
            b[c] = b[piv];
            b[piv] = tb;
            if (Math.abs(a[c][c]) < 1e-300) {
                throw new ArithmeticException("singular Hessian in logistic fit");
            }
            for (int r = c + 1; r < n; r++) {
                double f = a[r][c] / a[c][c];
                for (int j = c; j < n; j++) {
                    a[r][j] -= f * a[c][j];
                }
                b[r] -= f * b[c];
            }
        }
        double[] xs = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = b[r];
            for (int j = r + 1; j < n; j++) {
                s -= a[r][j] * xs[j];
            }
            xs[r] = s / a[r][r];
        }
        return xs;
    }
}
