"""What seqkit runs on: package versions, devices and cuDNN availability."""

import importlib.metadata
import logging
import platform

import seqkit

# The distribution names whose versions `environment_report` lists, besides
# seqkit, Python, TensorFlow and Keras (which are asked directly).
log = logging.getLogger("seqkit")

DISTRIBUTIONS = ("tensorflow-text", "numpy", "scikit-learn")


def _distribution_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cuda_build(tf):
    info = dict(tf.sysconfig.get_build_info())
    return {
        "built_with_cuda": bool(
            info.get("is_cuda_build", tf.test.is_built_with_cuda())
        ),
        "cuda_version": info.get("cuda_version"),
        "cudnn_version": info.get("cudnn_version"),
    }


def _cudnn_reasons(backend, built_with_cuda, gpu_visible):
    reasons = []
    if backend != "tensorflow":
        reasons.append(
            f"the Keras backend is {backend!r}; seqkit uses the fused kernel "
            "of the tensorflow backend only"
        )
    if not built_with_cuda:
        reasons.append("TensorFlow is not built with CUDA")
    if not gpu_visible:
        reasons.append("no GPU is visible")
    return reasons


def _nvidia_driver_loads():
    """Whether the NVIDIA driver's CUDA library loads in this process."""
    import ctypes
    import ctypes.util
    import sys

    names = ["libcuda.so.1"] if sys.platform.startswith("linux") else []
    found = ctypes.util.find_library("cuda")
    if found:
        names.append(found)
    for name in names:
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return True
    return False


def gpu_reason(built_with_cuda):
    """Why TensorFlow sees no GPU here, in a few words.

    A guess from what is installed, in the order a user would check it:
    a TensorFlow without CUDA, `CUDA_VISIBLE_DEVICES` hiding the GPUs, no
    NVIDIA driver, or a driver that finds no usable GPU.
    """
    import os

    if not built_with_cuda:
        return "this TensorFlow is built without CUDA"
    hidden = os.environ.get("CUDA_VISIBLE_DEVICES")
    if hidden is not None and hidden.strip() in ("", "-1"):
        return f"CUDA_VISIBLE_DEVICES={hidden!r} hides every GPU"
    if not _nvidia_driver_loads():
        return "no NVIDIA driver found: libcuda.so.1 does not load"
    return "the NVIDIA driver finds no usable GPU (see nvidia-smi)"


def training_device_note():
    """One line on where training runs, for a training command's log:
    `"no GPU visible: training on the CPU (<reason>)"`, or the GPUs."""
    import tensorflow as tf

    gpus = [gpu.name for gpu in tf.config.list_physical_devices("GPU")]
    if gpus:
        plural = "s" if len(gpus) > 1 else ""
        return f"{len(gpus)} GPU{plural} visible: training on {', '.join(gpus)}"
    reason = gpu_reason(tf.test.is_built_with_cuda())
    return f"no GPU visible: training on the CPU ({reason})"


def environment_report():
    """Describes the software and hardware seqkit runs on.

    TensorFlow and Keras are imported here, on the first call, so importing
    this module stays cheap.

    Returns:
        A dict that `json.dumps` accepts:
        - `"versions"`: `{"seqkit", "python", "tensorflow", "keras",
          "tensorflow-text", "numpy", "scikit-learn"}` -> version string, or
          None for a package that is not installed;
        - `"platform"`: the operating system, as `platform.platform()`;
        - `"keras_backend"`: the Keras backend's name;
        - `"devices"`: the physical devices TensorFlow sees, as
          `[{"name": ..., "type": "CPU" | "GPU" | ...}]`;
        - `"built_with_cuda"`, `"cuda_version"`, `"cudnn_version"`: from
          TensorFlow's build information (versions None when absent);
        - `"gpu_visible"`: whether TensorFlow sees a GPU;
        - `"gpu_reason"`: why it does not (`gpu_reason`), or None;
        - `"cudnn_available"`: whether the fused cuDNN kernel can run at all
          (tensorflow backend, a CUDA build and a visible GPU); whether a
          given layer uses it is `seqkit.layers.cudnn_eligibility(layer)`;
        - `"cudnn_reasons"`: why it cannot (empty when it can).

    Example:

    ```python
    from seqkit.environment import environment_report

    report = environment_report()
    report["versions"]["keras"], report["gpu_visible"]
    ```
    """
    import keras
    import tensorflow as tf

    versions = {
        "seqkit": seqkit.__version__,
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.version(),
    }
    versions.update(
        {name: _distribution_version(name) for name in DISTRIBUTIONS}
    )
    devices = [
        {"name": device.name, "type": device.device_type}
        for device in tf.config.list_physical_devices()
    ]
    gpu_visible = any(device["type"] == "GPU" for device in devices)
    build = _cuda_build(tf)
    backend = keras.config.backend()
    reasons = _cudnn_reasons(backend, build["built_with_cuda"], gpu_visible)
    return {
        "versions": versions,
        "platform": platform.platform(),
        "keras_backend": backend,
        "devices": devices,
        **build,
        "gpu_visible": gpu_visible,
        "gpu_reason": (
            None if gpu_visible else gpu_reason(build["built_with_cuda"])
        ),
        "cudnn_available": not reasons,
        "cudnn_reasons": reasons,
    }


def training_threads(bidirectional, cores=None):
    """Threads inside one op for training a recurrent model on a CPU.

    The two directions of a bidirectional layer are independent loops that
    TensorFlow's inter-op pool runs side by side; with every core inside
    each op as well (TensorFlow's default) they fight over the cores. Half
    the cores per op each trained the sentiment model's epoch 7-10% faster
    on a 2-core CPU (3.1 s against 3.3-4.0 s, same weights; measured in
    November 2026 and not stored: docs/benchmarks.md at commit d9c42dd).
    A one-direction model keeps the default.

    Args:
        bidirectional: whether the recurrent layers run both ways.
        cores: the CPU count (default: this machine's).

    Returns:
        The intra-op thread count, or None for TensorFlow's default.
    """
    import os

    if not bidirectional:
        return None
    cores = cores or os.cpu_count() or 1
    return max(1, cores // 2)


def configure_training_threads(bidirectional):
    """Applies `training_threads` when no GPU is visible; returns it.

    Call before TensorFlow runs its first op: later, TensorFlow keeps its
    pools and this logs a warning instead.
    """
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        return None
    threads = training_threads(bidirectional)
    if threads is not None:
        configure_threads(intra_op=threads)
    return threads


def configure_threads(intra_op=None, inter_op=None):
    """Sets TensorFlow's thread pools; call before any model loads.

    Args:
        intra_op: threads inside one op (TensorFlow's default: every
            core). `seqkit serve` uses 1: a recurrent model's ops are small,
            and the web loop needs a core of its own.
        inter_op: ops run side by side (ensemble members, directions).
    """
    import tensorflow as tf

    threading = tf.config.threading
    try:
        if intra_op:
            threading.set_intra_op_parallelism_threads(int(intra_op))
        if inter_op:
            threading.set_inter_op_parallelism_threads(int(inter_op))
    except RuntimeError as error:
        # TensorFlow fixes its pools when it first runs; in a process that
        # already has (a test, a notebook) the settings cannot change.
        log.warning("thread settings not applied: %s", error)
