"""The fused (cuDNN) kernel: eligibility rules and the path each layer takes.

This machine has no GPU, so the tests check the selection logic: every rule
is reported, and with a GPU pretended visible an eligible layer goes to
Keras's fused `inner_loop` (guarded by the mask check) while an ineligible
one goes straight to the generic loop.
"""

import keras
import numpy as np
import pytest
from keras import ops

import seqkit.layers as L
from seqkit.layers.rnn import fused

RULES = [
    (L.LSTM(2, activation="relu"), "activation is 'relu'"),
    (
        L.GRU(2, recurrent_activation="hard_sigmoid_keras2"),
        "recurrent_activation is 'hard_sigmoid_keras2'",
    ),
    (L.LSTM(2, recurrent_dropout=0.1), "recurrent_dropout is 0.1"),
    (L.GRU(2, unroll=True), "unroll=True"),
    (L.LSTM(2, use_bias=False), "use_bias=False"),
    (L.GRU(2, reset_after=False), "reset_after=False"),
    (L.LSTM(2, use_cudnn=False), "use_cudnn=False"),
    (L.Elman(2), "no fused kernel for Elman"),
]


@pytest.mark.parametrize("layer, reason", RULES, ids=[r for _, r in RULES])
def test_each_rule_is_named(layer, reason):
    eligible, reasons = L.cudnn_eligibility(layer)
    assert not eligible
    assert any(reason in r for r in reasons), reasons


def test_gpu_rule_is_reported_on_this_cpu_machine():
    eligible, reasons = L.cudnn_eligibility(L.LSTM(2))
    assert not eligible
    assert reasons == ["no GPU is visible"]


def test_every_failing_rule_is_listed_at_once():
    layer = L.GRU(2, activation="relu", unroll=True, reset_after=False)
    _, reasons = L.cudnn_eligibility(layer)
    assert len(reasons) == 4  # activation, unroll, reset_after, GPU


def test_mask_rules():
    mask = np.array([[1, 1, 0], [1, 0, 1], [0, 0, 0]], bool)
    _, reasons = L.cudnn_eligibility(L.LSTM(2), mask=mask)
    assert any("not right-padded (rows [1])" in r for r in reasons)
    assert any("only padding (rows [2])" in r for r in reasons)
    good = np.array([[1, 1, 0], [1, 0, 0]], bool)
    _, reasons = L.cudnn_eligibility(L.LSTM(2), mask=good)
    assert reasons == ["no GPU is visible"]


def test_mask_suits_fused_tensor_check():
    cases = {
        ((1, 1, 0), (1, 0, 0)): True,
        ((1, 1, 1), (1, 1, 1)): True,
        ((1, 0, 1), (1, 0, 0)): False,  # a hole
        ((0, 1, 1), (1, 0, 0)): False,  # left padding
        ((1, 1, 0), (0, 0, 0)): False,  # an empty row
    }
    for mask, expected in cases.items():
        got = ops.convert_to_numpy(fused.mask_suits_fused(np.array(mask)))
        assert bool(got) is expected, mask


def test_not_a_recurrent_layer():
    with pytest.raises(ValueError, match="Dense"):
        L.cudnn_eligibility(keras.layers.Dense(2))


def test_use_cudnn_true_without_gpu_names_the_reason():
    layer = L.LSTM(2, use_cudnn=True)
    with pytest.raises(ValueError, match="no GPU is visible"):
        layer(np.zeros((1, 3, 2), "float32"))


def test_elman_refuses_use_cudnn_true():
    with pytest.raises(ValueError, match="no fused kernel for Elman"):
        L.Elman(2, use_cudnn=True)


@pytest.fixture
def pretend_gpu(monkeypatch):
    """A visible GPU, and a record of each call of Keras's fused loop."""
    calls = []
    monkeypatch.setattr(fused, "gpu_visible", lambda: True)
    for keras_cls in (keras.layers.LSTM, keras.layers.GRU):
        original = keras_cls.inner_loop

        def spy(self, *args, _original=original, **kwargs):
            calls.append(type(self).__name__)
            # Keras itself falls back to the generic loop without a GPU.
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(keras_cls, "inner_loop", spy)
    return calls


@pytest.mark.parametrize("layer_cls", [L.LSTM, L.GRU])
def test_eligible_layer_takes_the_fused_path(layer_cls, pretend_gpu):
    x = np.random.default_rng(0).normal(size=(2, 4, 3)).astype("float32")
    layer = layer_cls(2)
    assert L.cudnn_eligibility(layer) == (True, [])
    reference = layer_cls(2, use_cudnn=False)
    layer(x)
    reference(x)
    reference.set_weights(layer.get_weights())
    pretend_gpu.clear()
    out = layer(x)
    assert pretend_gpu == [layer_cls.__name__]
    np.testing.assert_allclose(
        ops.convert_to_numpy(out),
        ops.convert_to_numpy(reference(x)),
        atol=1e-6,
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: L.GRU(2, reset_after=False),
        lambda: L.LSTM(2, recurrent_dropout=0.1),
        lambda: L.LSTM(2, use_cudnn=False),
        lambda: L.Elman(2),
    ],
)
def test_ineligible_layer_takes_the_generic_path(make, pretend_gpu):
    layer = make()
    layer(np.zeros((2, 4, 3), "float32"))
    assert pretend_gpu == []


def test_masked_batch_is_guarded_in_a_graph(pretend_gpu):
    """With a mask, the fused branch is chosen per batch by a graph cond."""
    ids = keras.Input((None,), dtype="int32")
    vectors = keras.layers.Embedding(10, 3, mask_zero=True)(ids)
    model = keras.Model(ids, L.LSTM(2)(vectors))
    plain = keras.Model(ids, L.LSTM(2, use_cudnn=False)(vectors))
    plain.set_weights(model.get_weights())
    batch = np.array([[1, 2, 3], [4, 0, 0], [0, 0, 0]], "int32")
    pretend_gpu.clear()
    got = model.predict(batch, verbose=0)
    assert "LSTM" in pretend_gpu  # traced inside the cond
    np.testing.assert_allclose(got, plain.predict(batch, verbose=0), atol=1e-6)
    assert np.isfinite(got).all()


def _traced_ops(layer):
    import tensorflow as tf

    @tf.function
    def run(x, mask):
        return layer(x, mask=mask)

    graph = run.get_concrete_function(
        tf.TensorSpec([None, None, 3]), tf.TensorSpec([None, None], tf.bool)
    ).graph.as_graph_def()
    found = {node.op for node in graph.node}
    for function in graph.library.function:
        found.update(node.op for node in function.node_def)
    return found


@pytest.mark.parametrize(
    "make",
    [
        lambda: L.LSTM(2),
        lambda: L.GRU(2, return_sequences=True),
        lambda: L.LSTM(2, return_state=True),
    ],
)
def test_masked_graph_traces_both_branches_with_a_gpu(make, gpu_listed):
    # Both branches of the mask guard must return one structure: the fused
    # loop gives its states as a list, the generic loop as a tuple.
    found = _traced_ops(make())
    assert "CudnnRNNV3" in found
    assert "While" in found  # the generic branch


def test_portable_graph_traces_no_cudnn_op(gpu_listed):
    layer = L.LSTM(2)
    with L.portable_graph():
        found = _traced_ops(layer)
        _, reasons = L.cudnn_eligibility(layer)
    assert not any(op.startswith("Cudnn") for op in found)
    assert reasons == ["a portable graph is being traced (export)"]
    assert "CudnnRNNV3" in _traced_ops(L.LSTM(2))


@pytest.fixture
def jax_like_backend(monkeypatch, pretend_gpu):
    """A backend whose fused kernel takes no mask (jax), with a GPU.

    Only seqkit's choice of loop sees the pretended backend; the layers
    still compute on the real one.
    """
    monkeypatch.setattr(fused, "keras_backend", lambda: "jax")
    return pretend_gpu


def test_jax_backend_is_eligible_without_a_mask(jax_like_backend):
    layer = L.LSTM(2)
    assert L.cudnn_eligibility(layer) == (True, [])
    eligible, reasons = L.cudnn_eligibility(layer, mask=[[True, False]])
    assert not eligible
    assert reasons == [
        "a mask is given, and the fused kernel of the jax backend takes none"
    ]


@pytest.mark.parametrize("layer_cls", [L.LSTM, L.GRU])
def test_jax_backend_runs_masked_batches_on_the_generic_loop(
    layer_cls, jax_like_backend
):
    x = np.random.default_rng(1).normal(size=(3, 4, 3)).astype("float32")
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0]], bool)
    layer = layer_cls(2)
    reference = layer_cls(2, use_cudnn=False)
    layer(x)
    reference(x)
    reference.set_weights(layer.get_weights())
    jax_like_backend.clear()
    got = layer(x, mask=mask)
    assert jax_like_backend == []  # the fused kernel was not called
    np.testing.assert_allclose(
        ops.convert_to_numpy(got),
        ops.convert_to_numpy(reference(x, mask=mask)),
        atol=1e-6,
    )
    layer(x)  # no mask: the fused kernel
    assert jax_like_backend == [layer_cls.__name__]


def test_jax_backend_use_cudnn_true_refuses_a_mask(jax_like_backend):
    layer = L.LSTM(2)
    x = np.zeros((1, 2, 3), "float32")
    layer(x)
    # Set after the build: Keras's own loop refuses use_cudnn=True on this
    # machine, which has no GPU in fact.
    layer.use_cudnn = True
    with pytest.raises(ValueError, match="jax backend takes no mask"):
        layer(x, mask=np.array([[True, False]]))


def test_backend_without_a_fused_kernel_is_named(monkeypatch, pretend_gpu):
    monkeypatch.setattr(fused, "keras_backend", lambda: "numpy")
    eligible, reasons = L.cudnn_eligibility(L.GRU(2))
    assert not eligible
    assert reasons == [
        "the Keras backend is 'numpy'; Keras has a fused kernel on "
        "tensorflow, torch, jax only"
    ]


@pytest.mark.parametrize("layer_cls", [L.LSTM, L.GRU])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_fused_backward_layer_keeps_processing_order(
    layer_cls, return_sequences, pretend_gpu, monkeypatch
):
    # The fused kernel is never handed go_backwards (Keras's jax LSTM
    # kernel returns input order); it runs forwards over the reversed
    # input, and the outputs come out in processing order as the loop's.
    seen = []
    original = layer_cls.fused_layer_class.inner_loop

    def spy(self, sequences, *args, **kwargs):
        seen.append(self.go_backwards)
        return original(self, sequences, *args, **kwargs)

    monkeypatch.setattr(layer_cls.fused_layer_class, "inner_loop", spy)
    x = np.random.default_rng(3).normal(size=(2, 5, 3)).astype("float32")
    settings = {
        "go_backwards": True,
        "return_sequences": return_sequences,
        "return_state": True,
    }
    layer = layer_cls(4, **settings)
    reference = layer_cls(4, use_cudnn=False, **settings)
    layer(x)
    reference(x)
    reference.set_weights(layer.get_weights())
    seen.clear()
    got = layer(x)
    assert seen == [False]
    assert layer.go_backwards  # restored
    for g, w in zip(got, reference(x)):
        np.testing.assert_allclose(
            ops.convert_to_numpy(g), ops.convert_to_numpy(w), atol=1e-6
        )


def test_torch_backend_takes_right_padded_masks(monkeypatch, pretend_gpu):
    # seqkit packs right-padded batches for PyTorch's kernel; the rules are
    # TensorFlow's, and the packed outputs are zeros at masked steps.
    monkeypatch.setattr(fused, "keras_backend", lambda: "torch")
    right = [[True, True], [True, False]]
    assert L.cudnn_eligibility(L.LSTM(2), mask=right) == (True, [])
    eligible, reasons = L.cudnn_eligibility(L.GRU(2), mask=[[False, True]])
    assert not eligible
    assert reasons[0].startswith("mask is not right-padded (rows [0])")
    layer = L.LSTM(2, return_sequences=True, zero_output_for_mask=False)
    assert L.cudnn_eligibility(layer, mask=right) == (
        False,
        [
            "zero_output_for_mask=False with a mask; on the torch backend "
            "the packed kernel gives zeros at masked steps"
        ],
    )


def test_torch_backend_use_cudnn_true_refuses_unzeroed_masked_outputs(
    monkeypatch, pretend_gpu
):
    monkeypatch.setattr(fused, "keras_backend", lambda: "torch")
    layer = L.LSTM(2, return_sequences=True, zero_output_for_mask=False)
    layer.use_cudnn = True  # after construction: Keras checks at build
    with pytest.raises(ValueError, match="zero_output_for_mask=False"):
        fused.inner_loop(layer, None, None, np.ones((1, 2), bool), False)
