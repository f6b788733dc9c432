"""Which masks the fused cuDNN kernels can follow."""

from keras import ops


def mask_suits_fused(mask):
    """A boolean scalar tensor: the mask is right-padded, no row is empty.

    cuDNN takes sequence lengths, so it can only skip trailing padding, and
    it fails on a sequence of length 0.
    """
    mask = ops.cast(mask, "bool")
    lengths = ops.sum(ops.cast(mask, "int32"), axis=1)
    steps = ops.arange(ops.shape(mask)[1], dtype="int32")
    right_padded = ops.all(ops.equal(mask, steps[None, :] < lengths[:, None]))
    return ops.logical_and(right_padded, ops.all(lengths > 0))
