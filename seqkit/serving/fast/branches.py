"""Branches of the serving graph that a call seldom takes."""


def out_of_line(fn):
    """`fn` as a function the graph calls rather than inlines.

    For the branch of a condition that a call seldom takes: TensorFlow
    lowers a condition to switches, and every node of the branch not
    taken still passes a dead signal on each call. Out of line, that
    branch is one node.
    """
    import tensorflow as tf

    return tf.function(fn, experimental_attributes={"_noinline": True})
