#!/usr/bin/env python3
"""Ask real pySigma what its pipelines do to fields, for parity tests of src/pipeline.

stdin:  {"pipelines": ["sysmon", "ecs_windows"], "cases": [{"logsource": {...}, "fields": ["Image", ...]}]}
stdout: [{"logsource": {...after pipelines...}, "conditions": [{"field", "values"}] (render order),
          "fields": {"Image": ["process.executable.caseless"] | {"error": "..."}}}]
One probe rule per field (value "x"), so one field's failure does not hide the others.
"""
import json
import re
import sys

from sigma.rule import SigmaDetection, SigmaDetectionItem, SigmaRule

PIPELINES = {
    "sysmon": lambda: __import__("sigma.pipelines.sysmon", fromlist=["x"]).sysmon_pipeline(),
    "ecs_windows": lambda: __import__("sigma.pipelines.elasticsearch.windows", fromlist=["x"]).ecs_windows(),
    "defender_xdr": lambda: __import__("sigma.pipelines.microsoftxdr", fromlist=["x"]).microsoft_xdr_pipeline(),
}


def fields_of(d, out):
    if isinstance(d, SigmaDetectionItem):
        out.append(d.field)
    elif isinstance(d, SigmaDetection):
        for x in d.detection_items:
            fields_of(x, out)
    return out


def plain(v):
    p = v.to_plain()
    return p


def probe(names, logsource, field):
    rule = SigmaRule.from_dict({
        "title": "probe", "logsource": logsource,
        "detection": {"sel": {field: "x"}, "condition": "sel"},
    })
    pipeline = None
    for p in sorted((PIPELINES[n]() for n in names), key=lambda p: p.priority):
        pipeline = p if pipeline is None else pipeline + p
    pipeline.apply(rule)
    conds = []
    order = re.findall(r"_cond_\w+", rule.detection.parsed_condition[0].condition)
    for name in order:
        for item in rule.detection.detections[name].detection_items:
            for leaf in (item.detection_items if isinstance(item, SigmaDetection) else [item]):
                conds.append({"field": leaf.field, "values": [plain(v) for v in leaf.value]})
    ls = {k: getattr(rule.logsource, k) for k in ("category", "product", "service") if getattr(rule.logsource, k)}
    return ls, conds, fields_of(rule.detection.detections["sel"], [])


def main():
    req = json.load(sys.stdin)
    out = []
    for case in req["cases"]:
        res = {"fields": {}}
        for f in case["fields"]:
            try:
                ls, conds, mapped = probe(req["pipelines"], case["logsource"], f)
                res["logsource"], res["conditions"] = ls, conds
                res["fields"][f] = mapped
            except Exception as e:  # noqa: BLE001 - every pySigma failure is a result here
                res["fields"][f] = {"error": f"{type(e).__name__}: {e}"}
        out.append(res)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
