"""`seqkit info`: versions, devices and whether the cuDNN kernel can run."""

import json

import click


def _yes_no(value):
    return "yes" if value else "no"


def format_report(report):
    """The lines `seqkit info` prints for a report, without `--json`."""
    rows = [
        (name, version or "not installed")
        for name, version in report["versions"].items()
    ]
    rows.append(("platform", report["platform"]))
    rows.append(("keras backend", report["keras_backend"]))
    devices = ", ".join(
        f"{device['type']} ({device['name']})" for device in report["devices"]
    )
    rows.append(("devices", devices or "none"))
    cuda = _yes_no(report["built_with_cuda"])
    if report["built_with_cuda"]:
        cuda += (
            f" (CUDA {report['cuda_version'] or '?'}, "
            f"cuDNN {report['cudnn_version'] or '?'})"
        )
    rows.append(("built with CUDA", cuda))
    gpu = "yes" if report["gpu_visible"] else "no: seqkit runs on the CPU"
    if report.get("gpu_reason"):
        gpu += f" ({report['gpu_reason']})"
    rows.append(("GPU visible", gpu))
    cudnn = _yes_no(report["cudnn_available"])
    if report["cudnn_reasons"]:
        cudnn += ": " + "; ".join(report["cudnn_reasons"])
    rows.append(("cuDNN kernel", cudnn))
    width = max(len(name) for name, _ in rows)
    return [f"{name:<{width}}  {value}" for name, value in rows]


@click.command()
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object instead of aligned text.",
)
def info(as_json):
    """Show versions, devices and whether the cuDNN kernel can run.

    Lists the versions of seqkit, Python, TensorFlow, Keras,
    tensorflow-text, NumPy and scikit-learn; the Keras backend; the devices
    TensorFlow sees; how TensorFlow was built (CUDA, cuDNN); and whether the
    fused cuDNN kernel of the LSTM and GRU layers can run here.
    """
    from seqkit.environment import environment_report

    report = environment_report()
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    for line in format_report(report):
        click.echo(line)
