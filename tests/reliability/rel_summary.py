"""Turn the figures the reliability tests record into tests/output/reliability/summary.{json,md}.

The conftest calls ``write_summary()`` at the end of every pytest process (each xdist worker, then the
controller), so the files always hold every figure of the run so far. By hand:

    python tests/reliability/rel_summary.py [RECORDS-DIR]     # prints the markdown of the newest (or given) run
"""

from __future__ import annotations

import fcntl
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUTPUT = HERE.parents[1] / "tests" / "output" / "reliability"


def load(run_dir):
    rows = []
    for path in sorted(Path(run_dir).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def summarize(rows):
    by_kind = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)

    faults = by_kind["fault"]
    outcomes = Counter(f["outcome"] for f in faults)
    per_module = defaultdict(Counter)
    for f in faults:
        per_module[f["module"]][f["outcome"]] += 1
    fault_kinds = sorted({f["fault"] for f in faults})

    concurrency = by_kind["concurrency"]
    bad = by_kind["bad_input"]
    bad_layers = defaultdict(Counter)
    for b in bad:
        bad_layers[b["layer"]]["tried"] += 1
        bad_layers[b["layer"]]["clean"] += int(bool(b["clean"]))
    scans = by_kind["scan"]
    scan_layers = defaultdict(Counter)
    for s in scans:
        scan_layers[s["layer"]]["runs"] += 1
        scan_layers[s["layer"]]["found"] += s["found"]
        for mode in s.get("modes") or []:
            scan_layers[s["layer"]]["mode " + mode] += 1
    open_leaks = by_kind["open_leak"]
    tls = by_kind["tls"]
    hygiene = {h["name"]: h["values"] for h in by_kind["hygiene"]}
    kills = by_kind["kill"]
    redirects = by_kind["redirect"]

    return {
        "faults": {
            "tried": len(faults),
            "survived": outcomes["survived"],
            "cleanly_failed": outcomes["clean_failure"],
            "unclean": outcomes["unclean"],
            "partial_writes": sum(1 for f in faults if f.get("partial_write")),
            "kinds": fault_kinds,
            "per_module": {m: dict(c) for m, c in sorted(per_module.items())},
        },
        "concurrency": {
            "scenarios": len(concurrency),
            "writers": sum(c["writers"] for c in concurrency),
            "lost_updates": sum(c["lost_updates"] for c in concurrency),
            "dishonest_reports": sum(c["dishonest_reports"] for c in concurrency),
            "failed_runs": sum(c["failed_runs"] for c in concurrency),
            "detail": [{k: c[k] for k in ("scenario", "writers", "lost_updates", "dishonest_reports", "failed_runs",
                                          "patches_landed", "conflicts")} for c in concurrency],
        },
        "bad_input": {
            "tried": len(bad),
            "clean_errors": sum(1 for b in bad if b["clean"]),
            "writes": sum(b.get("writes", 0) for b in bad),
            "per_layer": {layer: dict(c) for layer, c in sorted(bad_layers.items())},
        },
        "secrets": {
            "runs_scanned": len(scans),
            "chars_scanned": sum(s["chars"] for s in scans),
            "secrets_watched": max([s.get("watched", 0) for s in scans] or [0]),
            "found": sum(s["found"] for s in scans),
            "per_layer": {layer: dict(c) for layer, c in sorted(scan_layers.items())},
            "open_defect_runs": len(open_leaks),
            "open_defect_found": sum(o["found"] for o in open_leaks),
            "open_defect_runs_with_secrets": sum(1 for o in open_leaks if o["found"]),
        },
        "tls": {"cases": len(tls), "as_expected": sum(1 for t in tls if t["ok"]),
                "detail": [{"case": t["case"], "ok": t["ok"]} for t in tls]},
        "hygiene": hygiene,
        "attacks": {"kills": len(kills), "items": sum(k["items"] for k in kills),
                    "written_after_kill": max([k["final"] - k["at_kill"] for k in kills] or [0]),
                    "redirects": len(redirects), "reached_target": sum(r["reached"] for r in redirects)},
    }


def markdown(summary):
    f, c, b, s, t = (summary[k] for k in ("faults", "concurrency", "bad_input", "secrets", "tls"))
    lines = [
        "| figure | value |",
        "|---|---|",
        "| faults tried / survived / cleanly failed / unclean | %d / %d / %d / %d |" % (
            f["tried"], f["survived"], f["cleanly_failed"], f["unclean"]),
        "| partial writes after a fault (stored state neither old nor new) | %d |" % f["partial_writes"],
        "| concurrent writers / lost updates / reports disagreeing with the write log | %d / %d / %d |" % (
            c["writers"], c["lost_updates"], c["dishonest_reports"]),
        "| bad inputs tried / clean errors / write requests made | %d / %d / %d |" % (
            b["tried"], b["clean_errors"], b["writes"]),
        "| runs scanned for secrets / characters scanned / secrets found | %d / %d / %d |" % (
            s["runs_scanned"], s["chars_scanned"], s["found"]),
        "| TLS cases as expected | %d / %d |" % (t["as_expected"], t["cases"]),
    ]
    attacks = summary.get("attacks") or {}
    if attacks.get("redirects"):
        lines.append("| redirects answered / requests that reached the redirect target | %d / %d |" % (
            attacks["redirects"], attacks["reached_target"]))
    if attacks.get("kills"):
        lines.append("| killed batch runs / most PATCHes after the kill (2 workers; 60 items each) | %d / %d |" % (
            attacks["kills"], attacks["written_after_kill"]))
    if s.get("open_defect_runs"):
        lines.append("| open defect (role, not fixed here): secrets in the role's include-loop task results, "
                     "runs with secrets / runs / occurrences | %d / %d / %d |" % (
                         s["open_defect_runs_with_secrets"], s["open_defect_runs"], s["open_defect_found"]))
    if f["per_module"]:
        lines += ["", "Faults per module (%s):" % ", ".join(f["kinds"]), "",
                  "| module | survived | cleanly failed | unclean |", "|---|---|---|---|"]
        for module, counts in f["per_module"].items():
            lines.append("| %s | %d | %d | %d |" % (module, counts.get("survived", 0), counts.get("clean_failure", 0),
                                                    counts.get("unclean", 0)))
    if c["detail"]:
        lines += ["", "| concurrent scenario | writers | lost updates | dishonest reports | failed runs | PATCHes landed | 412 conflicts |",
                  "|---|---|---|---|---|---|---|"]
        for d in c["detail"]:
            lines.append("| %s | %d | %d | %d | %d | %d | %d |" % (d["scenario"], d["writers"], d["lost_updates"],
                                                                   d["dishonest_reports"], d["failed_runs"],
                                                                   d["patches_landed"], d["conflicts"]))
    if b["per_layer"]:
        lines += ["", "| bad input layer | tried | clean errors |", "|---|---|---|"]
        for layer, counts in b["per_layer"].items():
            lines.append("| %s | %d | %d |" % (layer, counts.get("tried", 0), counts.get("clean", 0)))
    if s["per_layer"]:
        lines += ["", "| secret scan layer | runs | with -vvv | check mode | diff mode | failed | with retries | secrets found |",
                  "|---|---|---|---|---|---|---|---|"]
        for layer, counts in s["per_layer"].items():
            lines.append("| %s | %d | %d | %d | %d | %d | %d | %d |" % (
                layer, counts.get("runs", 0), counts.get("mode -vvv", 0), counts.get("mode check", 0),
                counts.get("mode diff", 0), counts.get("mode failed", 0), counts.get("mode retries", 0),
                counts.get("found", 0)))
    if summary["hygiene"]:
        lines += ["", "| resource check | figures |", "|---|---|"]
        for name, values in sorted(summary["hygiene"].items()):
            lines.append("| %s | %s |" % (name, ", ".join("%s %s" % (k, v) for k, v in values.items())))
    return "\n".join(lines) + "\n"


def write_summary(run_dir, output=DEFAULT_OUTPUT):
    """Rewrite summary.json and summary.md from every record of the run (safe to call from several processes)."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    with open(output / ".summary.lock", "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        summary = summarize(load(run_dir))
        summary["run"] = Path(run_dir).name
        for name, text in (("summary.json", json.dumps(summary, indent=2, sort_keys=True) + "\n"),
                           ("summary.md", markdown(summary))):
            temp = output / (name + ".tmp")
            temp.write_text(text, encoding="utf-8")
            temp.replace(output / name)
    return summary


def main(argv):
    if argv:
        run_dir = Path(argv[0])
    else:
        runs = sorted((DEFAULT_OUTPUT / "records").iterdir(), key=lambda p: p.stat().st_mtime)
        if not runs:
            print("no records under %s" % (DEFAULT_OUTPUT / "records"), file=sys.stderr)
            return 1
        run_dir = runs[-1]
    sys.stdout.write(markdown(summarize(load(run_dir))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
