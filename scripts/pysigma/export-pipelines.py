#!/usr/bin/env python3
"""Export pySigma's own pipeline tables to src/pipeline/builtin/*.data.json.

The builtin pipelines of sigma-es must equal pySigma's, so instead of retyping tables we read the
live Python objects of the installed packages and write them in the same YAML/JSON pipeline format
that src/pipeline/yaml.ts reads for user pipelines (one interpreter for builtins and user files).

Run with the throw-away venv (scripts/pysigma/install.sh):
    .cache/pysigma/bin/python scripts/pysigma/export-pipelines.py            # write the files
    .cache/pysigma/bin/python scripts/pysigma/export-pipelines.py --stdout   # print one JSON object, write nothing
The test suite runs the --stdout form to check the committed files are a fresh export.
"""
import json
import os
import sys
from importlib.metadata import version

from sigma.processing.conditions import (
    ExcludeFieldCondition,
    FieldNameProcessingItemAppliedCondition,
    IncludeFieldCondition,
    LogsourceCondition,
    MatchValueCondition,
)
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations import (
    AddConditionTransformation,
    AddFieldnamePrefixTransformation,
    ChangeLogsourceTransformation,
    ConvertTypeTransformation,
    FieldMappingTransformation,
    SetValueTransformation,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "src", "pipeline", "builtin")


def linking(fn) -> str:
    # pySigma stores linking as the builtins any/all; the YAML format spells them or/and.
    return "or" if fn is any else "and"


def logsource_condition(c: LogsourceCondition) -> dict:
    out = {"type": "logsource"}
    for key in ("category", "product", "service"):
        v = getattr(c, key)
        if v is not None:
            out[key] = v
    return out


def rule_conditions(item: ProcessingItem) -> dict:
    conds = []
    for c in item.rule_conditions:
        if not isinstance(c, LogsourceCondition):
            raise SystemExit(f"{item.identifier}: rule condition {type(c).__name__} has no sigma-es equivalent")
        conds.append(logsource_condition(c))
    return gate("rule", conds, item.rule_condition_linking, item.rule_condition_negation)


def gate(prefix: str, conds: list, link, negated: bool) -> dict:
    """The `<prefix>_conditions` / `_cond_op` / `_cond_not` keys every condition group is written with."""
    out: dict = {}
    if conds:
        out[f"{prefix}_conditions"] = conds
        if link is not None and len(conds) > 1:
            out[f"{prefix}_cond_op"] = linking(link)
        if negated:
            out[f"{prefix}_cond_not"] = True
    return out


def field_name_conditions(item: ProcessingItem) -> dict:
    conds = []
    for c in item.field_name_conditions:
        if isinstance(c, (IncludeFieldCondition, ExcludeFieldCondition)):
            kind = "exclude_fields" if isinstance(c, ExcludeFieldCondition) else "include_fields"
            d = {"type": kind, "fields": list(c.fields)}
            if c.mode != "plain":
                d["mode"] = c.mode
            conds.append(d)
        elif isinstance(c, FieldNameProcessingItemAppliedCondition):
            conds.append({"type": "processing_item_applied", "processing_item_id": c.processing_item_id})
        else:
            raise SystemExit(f"{item.identifier}: field name condition {type(c).__name__} has no sigma-es equivalent")
    return gate("field_name", conds, item.field_name_condition_linking, item.field_name_condition_negation)


def detection_item_conditions(item: ProcessingItem) -> dict:
    conds = []
    for c in item.detection_item_conditions:
        if isinstance(c, MatchValueCondition):
            conds.append({"type": "match_value", "value": c.value, "cond": c.cond})
        else:
            raise SystemExit(f"{item.identifier}: detection item condition {type(c).__name__} has no sigma-es equivalent")
    # Detection item conditions have no linking operator in the sigma-es format.
    return gate("detection_item", conds, None, item.detection_item_condition_negation)


def transformation(item: ProcessingItem) -> dict:
    t = item.transformation
    if isinstance(t, AddConditionTransformation):
        if t.template or t.negated:
            raise SystemExit(f"{item.identifier}: templated/negated add_condition not supported")
        return {"type": "add_condition", "conditions": dict(t.conditions)}
    if isinstance(t, ChangeLogsourceTransformation):
        return {
            "type": "change_logsource",
            **{k: getattr(t, k) for k in ("category", "product", "service") if getattr(t, k) is not None},
        }
    if isinstance(t, FieldMappingTransformation) and type(t) is FieldMappingTransformation:
        return {"type": "field_name_mapping", "mapping": dict(t.mapping)}
    if isinstance(t, AddFieldnamePrefixTransformation):
        return {"type": "field_name_prefix", "prefix": t.prefix}
    if isinstance(t, SetValueTransformation):
        if t.force_type is not None:
            raise SystemExit(f"{item.identifier}: set_value with force_type not supported")
        # `value` is an InitVar; the typed value is kept as a SigmaType.
        v = t.sigma_value
        plain = v.to_plain() if hasattr(v, "to_plain") else getattr(v, "boolean", getattr(v, "number", None))
        return {"type": "set_value", "value": plain}
    raise SystemExit(f"{item.identifier}: transformation {type(t).__name__} has no sigma-es equivalent")


def export_generic(p: ProcessingPipeline, name: str, skip: dict) -> dict:
    """Serialize a pipeline built only from stock pySigma transformations. `skip` names the item ids
    that are deliberately not ported, with the reason (recorded in the output)."""
    items = []
    skipped = []
    for item in p.items:
        if item.identifier in skip:
            skipped.append({"id": item.identifier, "reason": skip[item.identifier]})
            continue
        d = {"id": item.identifier}
        d.update(transformation(item))
        d.update(rule_conditions(item))
        d.update(field_name_conditions(item))
        d.update(detection_item_conditions(item))
        items.append(d)
    out = {"name": name, "priority": p.priority, "title": p.name, "transformations": items}
    if skipped:
        out["not_ported"] = skipped
    return out


def export_sysmon() -> dict:
    from sigma.pipelines.sysmon import sysmon_pipeline

    d = export_generic(sysmon_pipeline(), "sysmon", {})
    d["source"] = {"package": "pysigma-pipeline-sysmon", "version": version("pysigma-pipeline-sysmon"),
                   "module": "sigma.pipelines.sysmon.sysmon"}
    return d


def export_ecs_windows() -> dict:
    from sigma.pipelines.elasticsearch.windows import ecs_windows

    d = export_generic(
        ecs_windows(),
        "ecs_windows",
        {
            # The index mapping profile decides how numbers compare with keyword fields, so the
            # pipeline keeps numbers as numbers instead of pre-stringifying them for one backend.
            "values_to_str": "numbers are kept; the index mapping profile decides how they compare",
        },
    )
    d["source"] = {"package": "pysigma-backend-elasticsearch", "version": version("pysigma-backend-elasticsearch"),
                   "module": "sigma.pipelines.elasticsearch.windows"}
    return d


def export_defender_xdr() -> dict:
    """microsoft_xdr_pipeline (pySigma-backend-kusto) mixes stock items with Kusto-specific value
    transformations. Field mappings are exported as they are; every transformation that rewrites
    values or drops detection items (which sigma-es pipelines do not do) becomes a
    detection_item_failure, so a rule that would need it is rejected instead of translated wrongly."""
    from sigma.pipelines.microsoftxdr.mappings import (
        CATEGORY_TO_TABLE_MAPPINGS,
        MICROSOFT_XDR_FIELD_MAPPINGS,
    )
    from sigma.pipelines.microsoftxdr.microsoftxdr import (
        MICROSOFT_XDR_SCHEMA,
        _get_valid_fields,
        parent_image_field_mapping,
    )

    fm = MICROSOFT_XDR_FIELD_MAPPINGS
    # pySigma picks the table from the category alone (SetQueryTableStateTransformation), whatever the product.
    by_category = lambda cat: {"type": "logsource", "category": cat}  # noqa: E731
    categories_of = {}
    for cat, table in CATEGORY_TO_TABLE_MAPPINGS.items():
        categories_of.setdefault(table, []).append(cat)

    items: list[dict] = [
        {
            "id": "microsoft_xdr_set_query_table",
            "type": "rule_failure",
            "message": "Rule category not yet supported by the Microsoft XDR pipeline (pySigma picks a table by "
                       "category; its EventID fallback is not ported).",
            "rule_conditions": [by_category(c) for c in CATEGORY_TO_TABLE_MAPPINGS],
            "rule_cond_op": "or",
            "rule_cond_not": True,
        },
        {
            "id": "microsoft_xdr_drop_eventid",
            "type": "detection_item_failure",
            "message": "has no Defender XDR column; pySigma drops this detection item, which changes the rule's "
                       "meaning, so sigma-es refuses it",
            "field_name_conditions": [{"type": "include_fields", "fields": ["EventID", "EventCode", "ObjectType"]}],
        },
    ]
    for table, mapping in fm.table_mappings.items():
        cats = categories_of.get(table, [])
        if not cats:
            continue
        items.append({
            "id": "microsoft_xdr_table_fieldmappings",
            "type": "field_name_mapping",
            "mapping": dict(mapping),
            "rule_conditions": [by_category(c) for c in cats],
            "rule_cond_op": "or",
        })
    items.append({
        "id": "microsoft_xdr_generic_fieldmappings",
        "type": "field_name_mapping",
        "mapping": dict(fm.generic_mappings),
        "field_name_conditions": [{"type": "processing_item_applied",
                                   "processing_item_id": "microsoft_xdr_table_fieldmappings"}],
        "field_name_cond_not": True,
    })
    items += [
        {
            # transform_parent_image=True (the default): outside process_creation ParentImage has no folder-path
            # column, so pySigma maps it to InitiatingProcessParentFileName and cuts values to their basename.
            "id": "microsoft_xdr_parent_image_fieldmapping",
            "type": "field_name_mapping",
            "mapping": dict(parent_image_field_mapping),
            "rule_conditions": [{"type": "logsource", "category": "process_creation"}],
            "rule_cond_not": True,
        },
        {
            # The basename cut is the identity for values without a path separator; the others are refused.
            "id": "microsoft_xdr_parent_image_name_value",
            "type": "detection_item_failure",
            "message": "holds a parent image path; pySigma cuts it to its basename for this table, which changes "
                       "wildcard and path semantics, so sigma-es refuses it (match the file name instead)",
            "field_name_conditions": [{"type": "include_fields", "fields": ["InitiatingProcessParentFileName"]}],
            "detection_item_conditions": [{"type": "match_string", "pattern": ".*[\\\\/]", "cond": "any"}],
            "rule_conditions": [{"type": "logsource", "category": "process_creation"}],
            "rule_cond_not": True,
        },
        {
            "id": "microsoft_xdr_registry_key_replace",
            "type": "detection_item_failure",
            "message": "registry hive abbreviations (HKLM, HKU, HKCR) are rewritten to full names by pySigma; "
                       "sigma-es pipelines do not rewrite values",
            "field_name_conditions": [{"type": "include_fields", "fields": ["RegistryKey", "PreviousRegistryKey"]}],
            "detection_item_conditions": [{"type": "match_string", "pattern": "(?i)^(HKLM|HKU|HKCR)", "cond": "any"}],
        },
        {
            "id": "microsoft_xdr_registry_actiontype_value",
            "type": "detection_item_failure",
            "message": "Sysmon EventType values are rewritten to DeviceRegistryEvents ActionType values by pySigma; "
                       "sigma-es pipelines do not rewrite values",
            "field_name_conditions": [{"type": "include_fields", "fields": ["ActionType"]}],
            "detection_item_conditions": [{"type": "match_string",
                                           "pattern": "^(CreateKey|DeleteKey|SetValue|RenameKey)$", "cond": "any"}],
        },
        {
            "id": "microsoft_xdr_domain_username_extract",
            "type": "detection_item_failure",
            "message": "DOMAIN\\user values are split into account domain and name columns by pySigma; "
                       "sigma-es pipelines do not rewrite values",
            "field_name_conditions": [{"type": "include_fields",
                                       "fields": ["AccountName", "RequestAccountName", "InitiatingProcessAccountName"]}],
            "detection_item_conditions": [{"type": "match_string", "pattern": ".*\\\\", "cond": "any"}],
        },
        {
            "id": "microsoft_xdr_hashes_field_values",
            "type": "detection_item_failure",
            "message": "Hashes values (ALGO=hex) are split into MD5/SHA1/SHA256 columns by pySigma; "
                       "use the md5/sha1/sha256 fields instead",
            "field_name_conditions": [{"type": "include_fields", "fields": ["Hashes"]}],
        },
        {
            "id": "microsoft_xdr_network_initiated_field",
            "type": "detection_item_failure",
            "message": "has no Defender XDR column; pySigma drops this detection item, which changes the rule's "
                       "meaning, so sigma-es refuses it",
            "field_name_conditions": [{"type": "include_fields", "fields": ["Initiated"]}],
            "rule_conditions": [{"type": "logsource", "category": "network_connection"}],
        },
    ]
    for table in MICROSOFT_XDR_SCHEMA.tables:
        cats = categories_of.get(table)
        if not cats:
            continue  # only reachable through query_table / EventID fallback, not ported
        items.append({
            "id": f"microsoft_xdr_unsupported_fields_{table}",
            "type": "detection_item_failure",
            "message": f"is not a column of {table} and has no mapping in the defender_xdr pipeline",
            "field_name_conditions": [{"type": "exclude_fields", "fields": sorted(set(_get_valid_fields(table)))}],
            "rule_conditions": [by_category(c) for c in cats],
            "rule_cond_op": "or",
        })
    return {
        "name": "defender_xdr",
        # pySigma gives this pipeline priority 10; sigma-es runs it at 20 (backend-pre, like ecs_windows)
        # so it is never combined ahead of a log-source pipeline by accident.
        "priority": 20,
        "title": "Generic Log Sources to Windows XDR tables and fields",
        "source": {"package": "pysigma-backend-kusto", "version": version("pysigma-backend-kusto"),
                   "module": "sigma.pipelines.microsoftxdr"},
        "transformations": items,
        "tables": {table: cats for table, cats in categories_of.items()},
    }


def main() -> None:
    exports = {
        "sysmon": export_sysmon(),
        "ecs_windows": export_ecs_windows(),
        "defender_xdr": export_defender_xdr(),
    }
    for d in exports.values():
        d["$generated"] = "by scripts/pysigma/export-pipelines.py from the installed pySigma packages; do not edit"
    if "--stdout" in sys.argv:
        json.dump(exports, sys.stdout, indent=2, sort_keys=False)
        sys.stdout.write("\n")
        return
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, d in exports.items():
        path = os.path.join(OUT_DIR, f"{name}.data.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(d, f, indent=2, sort_keys=False)
            f.write("\n")
        print(f"wrote {os.path.relpath(path, ROOT)} ({len(d['transformations'])} transformations)")


if __name__ == "__main__":
    main()
