"""Masks the layer tests share.

Rows: a full row, a ragged right-padded row, a row of only padding and a
row of one step; and a mask with holes (not right-padded).
"""

import numpy as np

RIGHT_PADDED = np.array(
    [
        [1, 1, 1, 1, 1],
        [1, 1, 1, 0, 0],
        [0, 0, 0, 0, 0],
        [1, 0, 0, 0, 0],
    ],
    dtype=bool,
)
WITH_HOLES = np.array(
    [
        [0, 1, 0, 1, 0],
        [1, 0, 0, 0, 1],
        [0, 0, 0, 0, 0],
        [0, 0, 1, 1, 1],
    ],
    dtype=bool,
)
