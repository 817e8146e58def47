/* global document, window, EventSource */
// The trainer's page: draws the room from /api/state, then keeps it current from /api/events.
// Every text that came from a trainee (names, check titles, hints) is set with textContent, never
// as HTML; the room's Content-Security-Policy allows this script and nothing inline.
"use strict";

const key = new URLSearchParams(window.location.search).get("key") ?? "";
const withKey = (path) => `${path}?key=${encodeURIComponent(key)}`;
const auth = { headers: { authorization: `Bearer ${key}` } };

const room = {
  exercises: [],
  trainees: new Map(),
  cells: new Map(),
  perExercise: new Map(),
  images: [],
};
let clockOffset = 0; // server time minus this browser's time

const cellKey = (traineeId, exercise) => `${traineeId}/${exercise}`;
const now = () => Date.now() + clockOffset;

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className !== undefined) node.className = className;
  return node;
}

function duration(since) {
  const seconds = Math.max(0, Math.round((now() - Date.parse(since)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const clock = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

function drawCell(td, cell) {
  td.className = `cell ${cell.status}`;
  td.dataset.status = cell.status;
  td.replaceChildren();
  if (cell.status === "not-started") {
    td.textContent = "not started";
  } else if (cell.status === "passed") {
    td.append(el("strong", "passed"), el("div", `at ${clock(cell.passedAt ?? cell.at)}`, "small"));
  } else {
    td.append(
      el("strong", cell.failing?.title ?? "failing"),
      el("div", `failing for ${duration(cell.failingSince ?? cell.at)}`, "small"),
    );
  }
  td.title = `${cell.runs} run(s)`;
}

function doctorText(trainee) {
  const d = trainee.doctor;
  if (d === undefined) return "no doctor report yet";
  const parts = [
    d.system,
    d.arch,
    d.engine ? `engine ${d.engine}` : undefined,
    d.images ? `images: ${d.images}` : undefined,
  ];
  const text = parts.filter(Boolean).join(" · ");
  return d.failing.length > 0 ? `${text} — not ready: ${d.failing.join(", ")}` : text;
}

function drawGrid() {
  const head = document.getElementById("grid-head");
  head.replaceChildren(el("th", "Trainee"), el("th", "Doctor"), el("th", "Images loaded"));
  for (const { exercise, title } of room.exercises) {
    const th = el("th", `${exercise}`);
    if (title) th.title = title;
    head.append(th);
  }
  const body = document.getElementById("grid-body");
  const rows = [];
  for (const trainee of room.trainees.values()) {
    const tr = el("tr");
    tr.dataset.trainee = trainee.id;
    const name = el("td", trainee.name, "name");
    tr.append(name, el("td", doctorText(trainee), "small doctor"));
    const loaded = trainee.imagesLoaded.map((i) => `${i.archive} (${i.platform})`).join(", ");
    tr.append(el("td", loaded === "" ? "—" : loaded, "small images"));
    for (const { exercise } of room.exercises) {
      const td = el("td");
      td.dataset.exercise = `${exercise}`;
      const cell = room.cells.get(cellKey(trainee.id, exercise)) ?? {
        traineeId: trainee.id,
        exercise,
        status: "not-started",
        runs: 0,
      };
      drawCell(td, cell);
      tr.append(td);
    }
    rows.push(tr);
  }
  body.replaceChildren(...rows);
  document.getElementById("empty").hidden = rows.length > 0;
}

function drawExercises() {
  const sections = [];
  const total = room.trainees.size;
  for (const { exercise, title } of room.exercises) {
    const summary = room.perExercise.get(exercise);
    const section = el("section");
    section.dataset.exercise = `${exercise}`;
    section.append(el("h3", `${exercise}. ${title ?? summary?.title ?? ""}`));
    section.append(
      el(
        "div",
        `${summary?.passed ?? 0} of ${total} passed, ${summary?.failing ?? 0} failing`,
        "passed-count",
      ),
    );
    const common = summary?.commonFailure;
    if (common) {
      const p = el("div", undefined, "common");
      p.append(
        el("strong", `Most frequent failure (${common.trainees}): `),
        document.createTextNode(common.title),
      );
      section.append(p);
      if (common.hint) section.append(el("div", `Hint: ${common.hint}`, "small hint"));
    }
    const stuck = summary?.stuckLongest;
    if (stuck)
      section.append(
        el(
          "div",
          `Stuck longest: ${stuck.name} on "${stuck.check}" for ${duration(stuck.since)}`,
          "small stuck",
        ),
      );
    sections.push(section);
  }
  document.getElementById("exercises").replaceChildren(...sections);
  const images = room.images.map((a) => `${a.name} (${(a.size / 1e6).toFixed(1)} MB)`).join(", ");
  const loadedBy = [...room.trainees.values()].filter((t) => t.imagesLoaded.length > 0).length;
  document.getElementById("images").textContent =
    room.images.length === 0
      ? "This room serves no image archives."
      : `Served: ${images}. Loaded by ${loadedBy} of ${total} trainees.`;
}

let drawPending = false;
function draw() {
  if (drawPending) return;
  drawPending = true;
  window.requestAnimationFrame(() => {
    drawPending = false;
    drawGrid();
    drawExercises();
  });
}

function setState(state) {
  clockOffset = Date.parse(state.now) - Date.now();
  room.exercises = state.exercises;
  room.images = state.images;
  room.trainees = new Map(state.trainees.map((t) => [t.id, t]));
  room.cells = new Map(state.cells.map((c) => [cellKey(c.traineeId, c.exercise), c]));
  room.perExercise = new Map(state.perExercise.map((s) => [s.exercise, s]));
  draw();
}

function applyEvent(event) {
  room.trainees.set(event.trainee.id, event.trainee);
  if (event.cell) room.cells.set(cellKey(event.cell.traineeId, event.cell.exercise), event.cell);
  if (event.perExercise) room.perExercise.set(event.perExercise.exercise, event.perExercise);
  draw();
}

function status(text, down) {
  const node = document.getElementById("status");
  node.textContent = text;
  node.classList.toggle("down", down);
}

async function loadState() {
  const response = await fetch("/api/state", auth);
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.detail ?? `the room answered ${response.status}`);
  }
  setState(await response.json());
}

function connect() {
  const events = new EventSource(withKey("/api/events"));
  // On every (re)connection, the state again: nothing missed while the stream was down.
  events.addEventListener("open", () => {
    loadState().then(
      () => status(`Live · ${room.trainees.size} trainee(s)`, false),
      (error) => status(`Cannot read the room: ${error.message}`, true),
    );
  });
  events.addEventListener("message", (message) => {
    applyEvent(JSON.parse(message.data));
    status(`Live · ${room.trainees.size} trainee(s)`, false);
  });
  events.addEventListener("error", () => status("The room does not answer; reconnecting…", true));
}

document.getElementById("export-csv").href = withKey("/api/export.csv");
document.getElementById("export-json").href = withKey("/api/export.json");
window.setInterval(draw, 15_000); // the "for how long" figures move on
connect();
