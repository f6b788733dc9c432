"""Independent NumPy implementations of the recurrent equations.

Written from the equations, one gate matrix at a time, so they share no code
with seqkit's cells. Weights come in Keras's layout and are split here.
"""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def hard_sigmoid_keras2(x):
    return np.clip(0.2 * x + 0.5, 0.0, 1.0)


def relu(x):
    return np.maximum(x, 0.0)


def elman_step(x, state, weights, g=np.tanh):
    W, U, b = weights
    (s,) = state
    return (g(s @ U + x @ W + b),)


def lstm_step(x, state, weights, g=np.tanh, sigma=sigmoid):
    W, U, b = weights
    h, c = state
    n = h.shape[-1]
    block = {name: slice(k * n, (k + 1) * n) for k, name in enumerate("ifco")}
    i = sigma(x @ W[:, block["i"]] + h @ U[:, block["i"]] + b[block["i"]])
    f = sigma(x @ W[:, block["f"]] + h @ U[:, block["f"]] + b[block["f"]])
    o = sigma(x @ W[:, block["o"]] + h @ U[:, block["o"]] + b[block["o"]])
    c_tilde = g(x @ W[:, block["c"]] + h @ U[:, block["c"]] + b[block["c"]])
    c_new = f * c + i * c_tilde
    return (o * g(c_new), c_new)


def gru_step(x, state, weights, reset_after, g=np.tanh, sigma=sigmoid):
    W, U, b = weights
    (s,) = state
    n = s.shape[-1]
    Wz, Wr, Wh = W[:, :n], W[:, n : 2 * n], W[:, 2 * n :]
    Uz, Ur, Uh = U[:, :n], U[:, n : 2 * n], U[:, 2 * n :]
    if reset_after:
        b_in, b_rec = b[0], b[1]
    else:
        b_in, b_rec = b, np.zeros_like(b)
    z = sigma(x @ Wz + b_in[:n] + s @ Uz + b_rec[:n])
    r = sigma(x @ Wr + b_in[n : 2 * n] + s @ Ur + b_rec[n : 2 * n])
    if reset_after:
        proposal = g(x @ Wh + b_in[2 * n :] + r * (s @ Uh + b_rec[2 * n :]))
    else:
        proposal = g(x @ Wh + b_in[2 * n :] + (r * s) @ Uh)
    return (z * s + (1.0 - z) * proposal,)


def run(step, inputs, initial_state, mask=None):
    """Runs `step` over `[batch, time, features]`; masked steps keep state.

    Returns (outputs [batch, time, units] with zeros at masked steps,
    final state tuple).
    """
    state = tuple(np.array(s, dtype=np.float64) for s in initial_state)
    batch, time = inputs.shape[:2]
    if mask is None:
        mask = np.ones((batch, time), dtype=bool)
    outputs = []
    for t in range(time):
        new = step(inputs[:, t].astype(np.float64), state)
        keep = mask[:, t][:, None]
        state = tuple(np.where(keep, n, o) for n, o in zip(new, state))
        outputs.append(np.where(keep, new[0], 0.0))
    return np.stack(outputs, axis=1), state
