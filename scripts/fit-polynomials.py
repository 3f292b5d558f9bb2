# The polynomial coefficients of the kernels' exp and log1p (src/kernels/assembly/math.ts, expNegWith;
# math64.ts, expm1Reduced and log1p2d): Chebyshev fits (near-minimax) in 60-digit arithmetic, with
# their measured error on a dense grid. Run with any Python that has mpmath (the reference venv has it):
#   .venv-ref/bin/python scripts/fit-polynomials.py
# and paste the printed coefficients into the kernels (lowest degree first).
import mpmath as mp

mp.mp.dps = 60
HALF_LN2 = mp.log(2) / 2


def fit(name, f, interval, degree, error):
    """Fits f on interval with a polynomial of the degree; error(poly, x) is the error that matters, at x."""
    poly = mp.chebyfit(f, interval, degree + 1)
    a, b = interval
    worst = max(error(poly, a + (b - a) * i / 2000) for i in range(2001))
    print(f'{name}: degree {degree}, max error {mp.nstr(worst, 3)}')
    for i, c in enumerate(poly[::-1]):
        print(f'  c{i} = {mp.nstr(c, 21)}')


# exp(r) = 1 + r + r^2 q(r) on |r| <= ln2/2; the error relative to exp(r).
def q(r):
    return (mp.expm1(r) - r) / r**2 if r != 0 else mp.mpf(1) / 2


def exp_error(poly, r):
    return abs((mp.polyval(poly, r) - q(r)) * r**2 / mp.exp(r))


fit('float32 exp, q (math.ts EXPN_Q4..EXPN_Q0: the odd ones negated)', q, [-HALF_LN2, HALF_LN2], 4, exp_error)
fit('float64 exp, Q (math64.ts EXPM1_Q0..EXPM1_Q9)', q, [-HALF_LN2, HALF_LN2], 9, exp_error)


# log1p(e) = e - hfsq + s (hfsq + z P(z)), s = e / (2 + e) in [0, 1/3], z = s^2 in [0, 1/9]:
# z P(z) = 2 atanh(s) / s - 2; the error relative to log1p(e).
def P(z):
    if z == 0:
        return mp.mpf(2) / 3
    s = mp.sqrt(z)
    return (2 * mp.atanh(s) / s - 2) / z


def log1p_error(poly, z):
    if z == 0:
        return 0
    s = mp.sqrt(z)
    return abs((mp.polyval(poly, z) - P(z)) * z * s) / mp.log1p(2 * s / (1 - s))


fit('float64 log1p on [0, 1], P (math64.ts LOG1P_P0..LOG1P_P9)', P, [0, mp.mpf(1) / 9], 9, log1p_error)


# float32 log1p(e) = 2 s A(s^2), s = e / (2 + e), A(t) = atanh(s) / s on t in [0, 1/9]; the error relative to A.
def A(t):
    if t == 0:
        return mp.mpf(1)
    s = mp.sqrt(t)
    return mp.atanh(s) / s


fit('float32 log1p on [0, 1], A (math.ts LOG1P_A0..LOG1P_A4)', A, [0, mp.mpf(1) / 9], 4, lambda poly, t: abs(mp.polyval(poly, t) / A(t) - 1))
