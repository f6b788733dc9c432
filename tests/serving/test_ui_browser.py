"""The page at `GET /` in a real browser: headless Chromium (selenium).

The page is driven from the keyboard against `seqkit serve` on tiny
exports, and what it shows is checked against the REST API's answers for
the same input. Screenshots go to `$SEQKIT_SCREENSHOTS` (default: a
temporary folder); their paths are printed (`pytest -s` shows them).

Needs Chromium, chromedriver (`apt-get install chromium chromium-driver`)
and selenium (the `test` extra). Without them the tests skip, unless the
environment variable CI is set: there a missing browser fails them
(`.ci/run` installs the browser).
"""

import json
import os
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from seqkit.cli import cli
from seqkit.testing.server_process import ServerProcess

CHROMIUM = os.environ.get("SEQKIT_CHROMIUM") or (
    shutil.which("chromium") or "/usr/bin/chromium"
)
CHROMEDRIVER = os.environ.get("SEQKIT_CHROMEDRIVER") or (
    shutil.which("chromedriver") or "/usr/bin/chromedriver"
)
TEXT = "a gorgeous , witty , seductive movie ."
SECOND = "an overlong , tedious mess"
PAYLOAD = "<script>window.pwned=1</script>"
WAIT = 60


def _under_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def _missing():
    missing = []
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install selenium)")
    for path, package in (
        (CHROMIUM, "chromium"),
        (CHROMEDRIVER, "chromium-driver"),
    ):
        if not os.access(path, os.X_OK):
            missing.append(f"{path} (apt-get install {package})")
    return missing


MISSING = _missing()
if MISSING and not _under_ci():
    # At import, so no model is trained for a test that cannot run.
    pytest.skip(
        "the browser test needs " + "; ".join(MISSING),
        allow_module_level=True,
    )


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (session-wide, so it is set up before the models:
    under CI a missing browser fails at once)."""
    if MISSING:
        pytest.fail(
            "the browser test needs "
            + "; ".join(MISSING)
            + ". CI is set, so a missing browser fails"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1000,1400",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    folder = os.environ.get("SEQKIT_SCREENSHOTS")
    if not folder:
        return tmp_path_factory.mktemp("screenshots")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _screenshot(driver, folder, name):
    path = Path(folder) / name
    assert driver.save_screenshot(str(path)), path
    print(f"\nscreenshot: {path}", flush=True)
    return path


def _waiter(driver):
    """Waits up to `WAIT` s, reading again where the page replaced what
    was read (an answer replaces the previous one's elements)."""
    from selenium.common.exceptions import (
        NoSuchElementException,
        StaleElementReferenceException,
    )
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(
        driver,
        WAIT,
        ignored_exceptions=(
            NoSuchElementException,
            StaleElementReferenceException,
        ),
    )


def _open(driver, process, model):
    """Loads the page; returns the model's section once its form is up."""
    from selenium.webdriver.common.by import By

    driver.get(f"http://127.0.0.1:{process.port}/")
    section = driver.find_element(
        By.CSS_SELECTOR, f'section[data-model="{model}"]'
    )
    _waiter(driver).until(
        lambda _: section.find_elements(By.CSS_SELECTOR, "form button")
    )
    return section


def _wait_for_answer(driver, section, prefix):
    """Waits until the section's status says `prefix`...; returns it."""
    from selenium.webdriver.common.by import By

    def said(_):
        text = section.find_element(By.CSS_SELECTOR, ".status").get_attribute(
            "textContent"
        )
        return text if text.startswith(prefix) else None

    return _waiter(driver).until(said)


def _wait_for_asked(driver, section, text):
    from selenium.webdriver.common.by import By

    _waiter(driver).until(
        lambda _: (
            section.find_element(By.CSS_SELECTOR, ".asked").text == text
            and section.find_element(By.CSS_SELECTOR, ".status")
            .get_attribute("textContent")
            .startswith("Label:")
        )
    )


def _percent(p):
    """`p` as the page shows it: JavaScript's `(p * 100).toFixed(1)`, which
    rounds the double's exact value half up."""
    exact = Decimal(p * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{exact}%"


def _rest(process, text):
    status, body = process.request(
        "POST", "/v1/models/sentiment:predict", {"instances": [text]}
    )
    assert status == 200, body
    return body["predictions"][0]


def _check_answer(section, process, text, names):
    """The bars, label and attention shown equal the REST API's answer."""
    from selenium.webdriver.common.by import By

    expected = _rest(process, text)
    ranked = sorted(
        enumerate(expected["probabilities"]), key=lambda x: (-x[1], x[0])
    )[:5]
    bars = [
        (
            bar.find_element(By.CSS_SELECTOR, ".name").text,
            bar.find_element(By.CSS_SELECTOR, ".pct").text,
        )
        for bar in section.find_elements(By.CSS_SELECTOR, ".bars .bar")
    ]
    assert bars == [(names[i], _percent(p)) for i, p in ranked]
    label = section.find_element(By.CSS_SELECTOR, ".label-line .label").text
    assert label == expected["label"]
    tokens = section.find_elements(By.CSS_SELECTOR, ".tokens.words .token")
    shown = [(t.text, float(t.get_attribute("data-weight"))) for t in tokens]
    assert shown == [
        (token, weight)
        for token, weight in zip(expected["tokens"], expected["attention"])
        if token
    ]
    assert len(shown) == len(text.split())
    return expected


@pytest.fixture(scope="module")
def sentiment_server(exported):
    base, _ = exported
    process = ServerProcess(base)
    yield process
    process.stop()


def test_text_model_from_the_keyboard(browser, sentiment_server, screenshots):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver, process = browser, sentiment_server
    section = _open(driver, process, "sentiment")
    meta = section.find_element(By.CSS_SELECTOR, ".meta").text
    assert meta.startswith("version 1 · text-classification · 2 classes")
    _, metadata = process.request("GET", "/v1/models/sentiment/metadata")
    names = metadata["metadata"]["seqkit"]["class_names"]

    # The text box is the first control: Tab reaches it, Enter submits.
    ActionChains(driver).send_keys(Keys.TAB).perform()
    area = section.find_element(By.CSS_SELECTOR, "textarea")
    assert driver.switch_to.active_element == area
    label = section.find_element(By.CSS_SELECTOR, "label[for]")
    assert label.get_attribute("for") == area.get_attribute("id")
    ActionChains(driver).send_keys(TEXT, Keys.ENTER).perform()
    _wait_for_asked(driver, section, TEXT)
    assert area.get_attribute("value") == TEXT  # Enter did not add a line
    _check_answer(section, process, TEXT, names)
    _screenshot(driver, screenshots, "ui-sentiment.png")

    # Ctrl+Enter submits too; the answer follows the new text.
    area.clear()
    ActionChains(driver).click(area).send_keys(SECOND).key_down(
        Keys.CONTROL
    ).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()
    _wait_for_asked(driver, section, SECOND)
    _check_answer(section, process, SECOND, names)

    # Fewer labels on request, without asking the model again.
    top_k = section.find_element(By.CSS_SELECTOR, "input[type=number]")
    top_k.clear()
    top_k.send_keys("1")
    assert len(section.find_elements(By.CSS_SELECTOR, ".bars .bar")) == 1
    top_k.clear()
    top_k.send_keys("5")
    assert len(section.find_elements(By.CSS_SELECTOR, ".bars .bar")) == 2

    # Markup typed in is text: shown as typed, never run.
    area.clear()
    area.send_keys(PAYLOAD, Keys.ENTER)
    _wait_for_asked(driver, section, PAYLOAD)
    assert driver.execute_script("return typeof window.pwned") == "undefined"
    assert len(driver.find_elements(By.TAG_NAME, "script")) == 1
    assert section.find_elements(By.CSS_SELECTOR, "script, img") == []
    answer = section.find_element(By.CSS_SELECTOR, "pre").get_attribute(
        "textContent"
    )
    assert json.loads(answer)["predictions"][0] == _rest(process, PAYLOAD)
    _screenshot(driver, screenshots, "ui-sentiment-markup.png")

    # Nothing typed: the page says so and asks nothing.
    area.clear()
    area.send_keys("   ", Keys.ENTER)
    status = section.find_element(By.CSS_SELECTOR, ".status")
    assert status.text == "Type a text first."
    assert "error" in status.get_attribute("class")
    # An error of the API is shown with its message: a body over the
    # server's 4 MB limit.
    driver.execute_script(
        "arguments[0].value = 'a'.repeat(5 * 1024 * 1024);", area
    )
    area.send_keys(Keys.ENTER)
    said = _wait_for_answer(driver, section, "The model answered with an")
    assert said == (
        "The model answered with an error: 413: the request body is over "
        "the limit of 4194304 bytes"
    )
    assert section.find_elements(By.CSS_SELECTOR, ".bars") == []

    # The page ran without an error (a script error or a blocked load
    # would be logged), the 413 answer aside.
    severe = [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE"
        and "status of 413" not in entry["message"]
    ]
    assert severe == []


@pytest.fixture(scope="module")
def caption_server(tmp_path_factory):
    """A tiny digit caption run, exported and served."""
    folder = tmp_path_factory.mktemp("caption")
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["train", "caption", "--preset", "tiny", "--quiet", "--out",
         str(folder / "run")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    base = folder / "models" / "digits"
    result = runner.invoke(
        cli, ["export", str(folder / "run"), "--out", str(base)]
    )
    assert result.exit_code == 0, result.output
    process = ServerProcess(base)
    yield process
    process.stop()


def test_caption_model_reads_an_uploaded_image(
    browser, caption_server, screenshots, tmp_path
):
    from PIL import Image
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from seqkit.data import digits
    from seqkit.data.captions import read_image

    driver, process = browser, caption_server
    canvas = digits.digit_canvases("test", 1, seed=11).images[0]
    pixels = np.round(canvas * 255).astype("uint8")  # [28, 128]
    path = tmp_path / "digits.png"
    Image.fromarray(pixels, "L").save(path)

    section = _open(driver, process, "digits")
    assert "captioning" in section.find_element(By.CSS_SELECTOR, ".meta").text
    upload = section.find_element(By.CSS_SELECTOR, "input[type=file]")
    label = section.find_element(
        By.CSS_SELECTOR, f'label[for="{upload.get_attribute("id")}"]'
    )
    assert label.text == "Image"
    upload.send_keys(str(path))
    _wait_for_answer(driver, section, "Read digits.png")
    # The preview is what is sent: the image's own pixels at 128 x 28.
    drawn = driver.execute_script(
        "const c = arguments[0];"
        "return Array.from(c.getContext('2d')"
        ".getImageData(0, 0, c.width, c.height).data);",
        section.find_element(By.CSS_SELECTOR, "canvas"),
    )
    drawn = np.array(drawn, dtype="uint8").reshape(28, 128, 4)
    np.testing.assert_array_equal(drawn[..., 0], pixels)

    section.find_element(By.CSS_SELECTOR, "form button").send_keys(Keys.ENTER)
    said = _wait_for_answer(driver, section, "Caption:")
    status, body = process.request(
        "POST",
        "/v1/models/digits:predict",
        {"instances": [read_image(path, (28, 128), 1).tolist()]},
    )
    assert status == 200, body
    expected = body["predictions"][0]
    caption = expected["caption"] or "(an empty caption)"
    assert said == f"Caption: {caption}"
    assert section.find_element(By.CSS_SELECTOR, ".caption").text == caption
    beams = section.find_elements(By.CSS_SELECTOR, ".beams li")
    assert len(beams) == len(expected["beams"])
    _screenshot(driver, screenshots, "ui-caption.png")
