"use strict";
// The page of `seqkit serve` (seqkit/serving/ui.py). It speaks the REST API
// as any client does, and writes every string it shows (the user's text,
// class names, tokens, captions, errors) with textContent, never as HTML.
(() => {
  const TOP_K = 5;
  const EMPTY = "(an empty caption)";
  const ATTENTION = [
    // [weights output, units output, what the units are]
    ["attention", "tokens", "words"],
    ["sentence_attention", "sentences", "sentences"],
  ];

  // An element; `props.text` becomes its textContent, `props.class` its
  // class, any other prop an attribute. Children are nodes or strings
  // (strings become text nodes).
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  async function api(path, body) {
    const options =
      body === undefined
        ? { headers: { Accept: "application/json" } }
        : {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(body),
          };
    let response;
    try {
      response = await fetch(path, options);
    } catch (error) {
      throw new Error(`the server did not answer (${error.message})`);
    }
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (!response.ok) {
      const message =
        data && typeof data.error === "string" ? data.error : "no message";
      throw new Error(`${response.status}: ${message}`);
    }
    return data;
  }

  function modelPath(name) {
    return "/v1/models/" + encodeURIComponent(name);
  }

  // What the page needs from GET /v1/models/NAME/metadata.
  function describe(answer) {
    const metadata = (answer && answer.metadata) || {};
    const defs =
      (metadata.signature_def && metadata.signature_def.signature_def) || {};
    const signatureName =
      "serving_default" in defs ? "serving_default" : Object.keys(defs)[0];
    if (signatureName === undefined) {
      throw new Error("the model has no signature");
    }
    const signature = defs[signatureName];
    const tensor = ([name, info]) => ({
      name,
      dtype: info.dtype,
      shape: ((info.tensor_shape || {}).dim || []).map((d) => Number(d.size)),
    });
    const seqkit = metadata.seqkit || {};
    return {
      version: String((answer.model_spec || {}).version || "?"),
      signatureName,
      inputs: Object.entries(signature.inputs || {}).map(tensor),
      outputs: Object.keys(signature.outputs || {}),
      task: typeof seqkit.task === "string" ? seqkit.task : "",
      classNames: Array.isArray(seqkit.class_names) ? seqkit.class_names : [],
    };
  }

  // "text", "image" (pixels the browser can make), "numbers" or "other".
  function inputKind(info) {
    if (info.inputs.length !== 1) return "other";
    const { name, dtype, shape } = info.inputs[0];
    if (dtype === "DT_STRING" && shape.length === 1) return "text";
    const sized = shape.slice(1).every((size) => size > 0);
    const channels = shape.length === 4 ? shape[3] : 1;
    if (
      dtype === "DT_FLOAT" &&
      name === "image" &&
      sized &&
      (shape.length === 3 || (shape.length === 4 && [1, 3].includes(channels)))
    ) {
      return "image";
    }
    if (/^DT_(FLOAT|DOUBLE|HALF|BFLOAT16|U?INT\d+)$/.test(dtype)) {
      return "numbers";
    }
    return "other";
  }

  function asText(value) {
    if (typeof value === "string") return value;
    if (value && typeof value.b64 === "string") return `[b64 ${value.b64}]`;
    return JSON.stringify(value);
  }

  function percent(p) {
    return `${(p * 100).toFixed(1)}%`;
  }

  // The classes by probability, highest first (ties keep class order).
  function rank(probabilities, classNames) {
    return probabilities
      .map((p, index) => ({
        name:
          index < classNames.length
            ? asText(classNames[index])
            : `class ${index}`,
        p: Number(p),
        index,
      }))
      .sort((a, b) => b.p - a.p || a.index - b.index);
  }

  function bars(items) {
    const list = el("ol", { class: "bars" });
    items.forEach((item, position) => {
      const fill = el("span", { class: "fill" });
      fill.style.width = `${Math.max(0, Math.min(1, item.p)) * 100}%`;
      list.append(
        el(
          "li",
          { class: position === 0 ? "bar top" : "bar" },
          el("span", { class: "name", text: item.name }),
          el("span", { class: "track", "aria-hidden": "true" }, fill),
          el("span", { class: "pct", text: percent(item.p) }),
        ),
      );
    });
    return list;
  }

  // Units (tokens or sentences) shaded by their weight; padding ("") left
  // out. Returns the nodes to show, or [] when nothing is attended.
  function attentionView(units, weights, kind) {
    const pairs = units
      .map((unit, index) => [asText(unit), Number(weights[index]) || 0])
      .filter(([unit]) => unit !== "");
    if (pairs.length === 0) return [];
    const most = Math.max(...pairs.map(([, weight]) => weight)) || 1;
    const box = el("p", { class: `tokens ${kind}` });
    for (const [unit, weight] of pairs) {
      const span = el("span", {
        class: "token",
        title: `attention ${percent(weight)}`,
        "data-weight": String(weight),
      });
      span.textContent = unit;
      const alpha = Math.max(0, weight / most) * 0.9;
      span.style.backgroundColor = `rgba(255, 176, 0, ${alpha.toFixed(3)})`;
      box.append(span, " ");
    }
    const top = [...pairs]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([unit, weight]) => `${unit} (${percent(weight)})`);
    return [
      el("h3", { text: `Attention over the ${kind}` }),
      box,
      el("p", { class: "attended", text: `Most attended: ${top.join(", ")}` }),
    ];
  }

  // Draws `file` scaled to width x height on `canvas` and returns the
  // signature's pixels: [height][width] (grayscale) or [height][width][3],
  // 0..1. The canvas then shows exactly what is sent.
  async function encodeImage(file, height, width, channels, invert, canvas) {
    let bitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch (error) {
      throw new Error(`cannot read ${file.name} as an image`);
    }
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.clearRect(0, 0, width, height);
    context.imageSmoothingEnabled = true;
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, 0, 0, width, height);
    if (bitmap.close) bitmap.close();
    const image = context.getImageData(0, 0, width, height);
    const data = image.data;
    const rows = [];
    for (let y = 0; y < height; y += 1) {
      const row = [];
      for (let x = 0; x < width; x += 1) {
        const i = (y * width + x) * 4;
        let rgb = [data[i], data[i + 1], data[i + 2]];
        if (invert) rgb = rgb.map((v) => 255 - v);
        if (channels === 1) {
          // ITU-R 601 luma, as Pillow's convert("L").
          const v = Math.round((rgb[0] * 299 + rgb[1] * 587 + rgb[2] * 114) / 1000);
          rgb = [v, v, v];
          row.push(v / 255);
        } else {
          row.push(rgb.map((v) => v / 255));
        }
        [data[i], data[i + 1], data[i + 2], data[i + 3]] = [...rgb, 255];
      }
      rows.push(row);
    }
    context.putImageData(image, 0, 0);
    return rows;
  }

  function metaLine(info) {
    const parts = [`version ${info.version}`];
    if (info.task) parts.push(info.task);
    if (info.classNames.length) parts.push(`${info.classNames.length} classes`);
    parts.push(`outputs: ${info.outputs.join(", ")}`);
    return parts.join(" \u00b7 ");
  }

  async function setUp(section, index) {
    const name = section.dataset.model;
    const meta = section.querySelector(".meta");
    let info;
    try {
      info = describe(await api(`${modelPath(name)}/metadata`));
    } catch (error) {
      meta.textContent = `Cannot read the model's metadata: ${error.message}`;
      meta.classList.add("error");
      return;
    }
    meta.textContent = metaLine(info);
    const id = (suffix) => `model-${index}-${suffix}`;
    const kind = inputKind(info);
    const input = info.inputs[0];
    if (kind === "other") {
      const names = info.inputs.map((i) => `${i.name} (${i.dtype})`);
      section.append(
        el("p", {
          class: "hint",
          text:
            `This page cannot build the inputs of this signature ` +
            `(${names.join(", ")}); call the REST API directly.`,
        }),
      );
      return;
    }

    const form = el("form", { class: "try", novalidate: "" });
    const button = el("button", {
      type: "submit",
      text: kind === "image" ? "Caption" : "Predict",
    });
    const controls = el("div", { class: "controls" }, button);
    const status = el("p", { class: "status", role: "status", id: id("status") });
    const output = el("div", { class: "output", id: id("output") });
    let read; // -> {instance, shown}: the row to send and the text to echo

    if (kind === "text") {
      const area = el("textarea", {
        id: id("text"),
        name: "text",
        rows: "4",
        "aria-describedby": id("hint"),
      });
      form.append(
        el("label", { for: id("text"), text: "Text" }),
        area,
        el("p", {
          class: "hint",
          id: id("hint"),
          text: "Enter or Ctrl+Enter predicts; Shift+Enter starts a new line.",
        }),
      );
      area.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          form.requestSubmit();
        }
      });
      read = async () => {
        if (!area.value.trim()) throw new Error("Type a text first.");
        return { instance: area.value, shown: area.value };
      };
    } else if (kind === "image") {
      const [height, width] = input.shape.slice(1, 3);
      const channels = input.shape.length === 4 ? input.shape[3] : 1;
      const file = el("input", {
        type: "file",
        id: id("image"),
        accept: "image/*",
        "aria-describedby": id("hint"),
      });
      const invert = el("input", { type: "checkbox", id: id("invert") });
      const scale = Math.max(1, Math.floor(384 / width));
      const canvas = el("canvas", {
        class: "preview",
        width: String(width),
        height: String(height),
        role: "img",
        "aria-label": `What the model reads: the image at ${width} by ${height} pixels`,
      });
      canvas.style.width = `${width * scale}px`;
      form.append(
        el("label", { for: id("image"), text: "Image" }),
        file,
        el(
          "p",
          {},
          invert,
          " ",
          el("label", {
            class: "inline",
            for: id("invert"),
            text: "Invert (for dark writing on a light background)",
          }),
        ),
        canvas,
        el("p", {
          class: "hint",
          id: id("hint"),
          text:
            `The image is scaled to ${width}\u00d7${height} pixels ` +
            `(${channels === 1 ? "grayscale" : "RGB"}, 0 to 1) in this ` +
            `browser and sent as the signature's "${input.name}" input. ` +
            "Ctrl+Enter captions it.",
        }),
      );
      let pixels = null;
      let loading = Promise.resolve();
      const load = () => {
        const chosen = file.files[0];
        pixels = null;
        loading = chosen
          ? encodeImage(chosen, height, width, channels, invert.checked, canvas)
              .then((rows) => {
                pixels = rows;
                showStatus(`Read ${chosen.name}: ready to caption.`, false);
              })
              .catch((error) => {
                showStatus(`Cannot use this file: ${error.message}`, true);
              })
          : Promise.resolve();
      };
      file.addEventListener("change", load);
      invert.addEventListener("change", load);
      read = async () => {
        await loading;
        if (pixels === null) throw new Error("Choose an image first.");
        return { instance: pixels, shown: null };
      };
    } else {
      const area = el("textarea", {
        id: id("numbers"),
        name: input.name,
        rows: "4",
        "aria-describedby": id("hint"),
      });
      const shape = input.shape.slice(1).map((s) => (s > 0 ? s : "any"));
      form.append(
        el("label", { for: id("numbers"), text: `${input.name} (JSON)` }),
        area,
        el("p", {
          class: "hint",
          id: id("hint"),
          text:
            `This model reads "${input.name}" (${input.dtype}, shape ` +
            `[${shape.join(", ")}]), numbers a browser cannot compute from ` +
            "an image or text: paste one input as a JSON array. " +
            "Ctrl+Enter predicts.",
        }),
      );
      read = async () => {
        try {
          return { instance: JSON.parse(area.value), shown: null };
        } catch (error) {
          throw new Error(`The input is not valid JSON: ${error.message}`);
        }
      };
    }

    const hasProbabilities = info.outputs.includes("probabilities");
    let topK = null;
    if (hasProbabilities) {
      const classes = info.classNames.length;
      topK = el("input", {
        type: "number",
        id: id("topk"),
        min: "1",
        value: String(classes ? Math.min(TOP_K, classes) : TOP_K),
      });
      if (classes) topK.max = String(classes);
      controls.append(
        el("label", { for: id("topk"), text: "Labels shown" }),
        topK,
      );
    }
    form.append(controls);
    section.append(form, status, output);

    form.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });

    let last = null;
    let ticket = 0;

    const shownTopK = () => {
      const k = Number.parseInt(topK.value, 10);
      return Number.isFinite(k) && k >= 1 ? k : TOP_K;
    };

    // Progress and errors show; a summary of an answer is only read out
    // (the answer below shows it).
    const showStatus = (text, isError, quiet) => {
      status.classList.toggle("error", Boolean(isError));
      status.classList.toggle("visually-hidden", Boolean(quiet));
      status.textContent = text;
    };

    const render = () => {
      const { answer, shown } = last;
      let row = answer.predictions[0];
      const bare = row === null || typeof row !== "object" || Array.isArray(row);
      if (info.outputs.length === 1 && bare) {
        // One output is answered bare, not as an object of outputs.
        row = { [info.outputs[0]]: row };
      }
      const said = [];
      output.replaceChildren();
      if (shown !== null) {
        output.append(
          el("blockquote", { class: "asked", "aria-label": "Your text", text: shown }),
        );
      }
      if (Array.isArray(row.probabilities)) {
        const ranked = rank(row.probabilities, info.classNames);
        const label = "label" in row ? asText(row.label) : ranked[0].name;
        const k = Math.min(shownTopK(), ranked.length);
        output.append(
          el(
            "p",
            { class: "label-line" },
            "Label: ",
            el("strong", { class: "label", text: label }),
          ),
          el("h3", { text: `Top ${k} of ${ranked.length} labels` }),
          bars(ranked.slice(0, k)),
        );
        said.push(`Label: ${label}`);
      }
      for (const [weights, units, kindOfUnits] of ATTENTION) {
        if (Array.isArray(row[weights]) && Array.isArray(row[units])) {
          output.append(...attentionView(row[units], row[weights], kindOfUnits));
        }
      }
      if ("caption" in row) {
        const caption = asText(row.caption);
        output.append(
          el("h3", { text: "Caption" }),
          el("p", {
            class: caption ? "caption" : "caption empty",
            text: caption || EMPTY,
          }),
        );
        said.push(`Caption: ${caption || EMPTY}`);
        if (Array.isArray(row.beams)) {
          const scores = Array.isArray(row.beam_scores) ? row.beam_scores : [];
          const list = el("ol", { class: "beams" });
          row.beams.forEach((beam, i) => {
            const score =
              typeof scores[i] === "number"
                ? ` (score ${scores[i].toFixed(3)})`
                : "";
            list.append(
              el(
                "li",
                {},
                asText(beam) || EMPTY,
                el("span", { class: "score", text: score }),
              ),
            );
          });
          output.append(el("h3", { text: "Beams" }), list);
        }
      }
      output.append(
        el(
          "details",
          {},
          el("summary", { text: "The answer as JSON" }),
          el("pre", { text: JSON.stringify(answer, null, 2) }),
        ),
      );
      showStatus(said.length ? said.join(". ") : "Answered.", false, true);
    };

    if (topK !== null) {
      topK.addEventListener("input", () => {
        if (last !== null) render();
      });
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      ticket += 1;
      const mine = ticket;
      let request;
      try {
        request = await read();
      } catch (error) {
        showStatus(error.message, true);
        return;
      }
      if (mine !== ticket) return;
      button.setAttribute("aria-disabled", "true");
      output.setAttribute("aria-busy", "true");
      showStatus("Asking the model\u2026", false);
      const body = { instances: [request.instance] };
      if (info.signatureName !== "serving_default") {
        body.signature_name = info.signatureName;
      }
      try {
        const answer = await api(`${modelPath(name)}:predict`, body);
        if (mine !== ticket) return;
        last = { answer, shown: request.shown };
        render();
      } catch (error) {
        if (mine !== ticket) return;
        last = null;
        output.replaceChildren();
        showStatus(`The model answered with an error: ${error.message}`, true);
      } finally {
        if (mine === ticket) {
          button.removeAttribute("aria-disabled");
          output.removeAttribute("aria-busy");
        }
      }
    });
  }

  document.querySelectorAll("section.model").forEach((section, index) => {
    setUp(section, index);
  });
})();
