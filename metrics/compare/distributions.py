"""The two distributions the funnel limits need: the gamma quantile (for exact Poisson limits,
through the chi-square relation) and the normal quantile.

SciPy is not a dependency of the product, and one quantile does not justify it: the regularised
incomplete gamma function is computed by its power series below ``a + 1`` and by its continued
fraction above (the standard pairing, as in Numerical Recipes section 6.2 and Cephes ``igam``),
and the quantile by safeguarded Newton steps from the Wilson-Hilferty starting point. The tests
check it against closed forms (shape 1 and 2), against published chi-square table values, and
against the Poisson sums it stands for.
"""

from __future__ import annotations

import math
from statistics import NormalDist

# Relative accuracy asked of the series, the continued fraction and the quantile: far finer
# than any limit is shown (two decimals of a rate), coarse enough to converge in a few steps.
TOLERANCE = 1e-13
MAX_TERMS = 100_000  # a series or fraction still running after this many terms has a bug
TINY = 1e-300  # Lentz's guard against dividing by zero in the continued fraction
MAX_NEWTON_STEPS = 100

_NORMAL = NormalDist()


def normal_quantile(p: float) -> float:
    """The standard normal quantile: 1.959964 at 0.975, 3.090232 at 0.999."""
    return _NORMAL.inv_cdf(p)


def gamma_cdf(x: float, shape: float) -> float:
    """The regularised lower incomplete gamma function P(shape, x) = Pr(X <= x) for X with a
    gamma(shape, scale 1) distribution. ``shape`` > 0."""
    if shape <= 0:
        raise ValueError(f"gamma shape must be positive, not {shape}")
    if x <= 0:
        return 0.0
    log_front = -x + shape * math.log(x) - math.lgamma(shape)
    if x < shape + 1:
        # power series: P = e^-x x^a / Gamma(a+1) * sum_n x^n / ((a+1)...(a+n))
        term = total = 1.0 / shape
        for n in range(1, MAX_TERMS):
            term *= x / (shape + n)
            total += term
            if abs(term) < abs(total) * TOLERANCE:
                return min(1.0, total * math.exp(log_front))
        raise ArithmeticError(f"gamma series did not converge at shape {shape}, x {x}")
    # continued fraction for Q = 1 - P, evaluated by the modified Lentz method
    b = x + 1.0 - shape
    c = 1.0 / TINY
    d = 1.0 / b
    h = d
    for i in range(1, MAX_TERMS):
        an = -i * (i - shape)
        b += 2.0
        d = an * d + b
        d = TINY if abs(d) < TINY else d
        c = b + an / c
        c = TINY if abs(c) < TINY else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < TOLERANCE:
            return max(0.0, 1.0 - math.exp(log_front) * h)
    raise ArithmeticError(f"gamma continued fraction did not converge at shape {shape}, x {x}")


def gamma_quantile(p: float, shape: float) -> float:
    """The x with P(shape, x) = p for a gamma(shape, scale 1) variable: half the chi-square
    quantile on 2 * shape degrees of freedom. ``0 < p < 1``, ``shape`` > 0."""
    if not 0 < p < 1:
        raise ValueError(f"a quantile needs 0 < p < 1, not {p}")
    if shape <= 0:
        raise ValueError(f"gamma shape must be positive, not {shape}")
    # Wilson-Hilferty start (good for shape above about 1); for small shapes the lower tail
    # P ~ x^a / Gamma(a+1) gives a start that Newton refines from below.
    z = normal_quantile(p)
    cube = 1.0 - 1.0 / (9.0 * shape) + z / (3.0 * math.sqrt(shape))
    x = shape * cube**3 if cube > 0 else 0.0
    if x <= 0 or shape < 1:
        x = max(x, math.exp((math.log(p) + math.lgamma(shape + 1.0)) / shape))
    lo, hi = 0.0, math.inf
    log_norm = math.lgamma(shape)
    for _ in range(MAX_NEWTON_STEPS):
        error = gamma_cdf(x, shape) - p
        if error > 0:
            hi = min(hi, x)
        else:
            lo = max(lo, x)
        density = math.exp((shape - 1.0) * math.log(x) - x - log_norm) if x > 0 else 0.0
        step = error / density if density > 0 else math.inf
        candidate = x - step
        if not (lo < candidate < hi) or not math.isfinite(candidate):
            # Newton left the bracket: bisect it (or grow it when there is no upper end yet)
            candidate = (lo + hi) / 2 if math.isfinite(hi) else max(2.0 * x, x + 1.0)
        if abs(candidate - x) <= TOLERANCE * max(1.0, abs(x)):
            return candidate
        x = candidate
    return x
