"""The shipped t/F quantile table is scipy's output, entry by entry, and the lookups fall back
to scipy outside it."""

import numpy as np
from scipy import special

from neuromoa.fitting._quantiles import _table, f_quantile, t_quantile


def test_table_equals_scipy():
    tab = _table()
    df = tab[:, 0]
    assert df[0] == 1 and df[-1] == 1000 and np.all(np.diff(df) == 1)
    np.testing.assert_array_equal(tab[:, 1], special.stdtrit(df, 0.975))
    for dfn in (1, 2, 3, 4):
        np.testing.assert_array_equal(tab[:, 1 + dfn], special.fdtri(dfn, df, 0.95))


def test_lookups_match_scipy_inside_and_outside_the_table():
    d = np.array([1, 2, 7, 999, 1000, 1001, 50000])
    np.testing.assert_array_equal(t_quantile(d, 0.975), special.stdtrit(d, 0.975))
    np.testing.assert_array_equal(t_quantile(d, 0.9), special.stdtrit(d, 0.9))
    for dfn in (1, 3, 4, 5):
        np.testing.assert_array_equal(f_quantile(dfn, d, 0.95), special.fdtri(dfn, d, 0.95))
    assert float(t_quantile(6, 0.975)) == float(special.stdtrit(6, 0.975))
