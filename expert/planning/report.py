"""The needs analysis and its plan as data (JSON), text, CSV and XLSX: one report, four forms,
in Indonesian or English. The web's pages, exports and API use these too."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from expert.i18n import tr
from expert.kb.model import KnowledgeBase
from expert.planning.needs import NeedsAnalysis
from expert.planning.programme import PlanLine
from expert.planning.trend import UnitTrend

__all__ = ["report_csv", "report_dict", "report_text", "report_xlsx", "safe_cell"]

WORDS = {
    "id": {"title": "Analisis Kebutuhan Pengembangan Kompetensi (AKPK)",
           "assessments": "penilaian", "units": "unit", "needs": "Kebutuhan (kesenjangan)",
           "need": "Kebutuhan", "programme": "Program", "topic": "Topik",
           "priority": "Prioritas", "units_h": "Unit", "employees": "Pegawai",
           "groups": "Unit/kelompok", "rules": "Aturan", "sources": "Penilaian",
           "jp_employees": "Pegawai di bawah {min:g} JP", "jp_units": "JP per unit",
           "plan": "Rencana program pengembangan kompetensi", "forms": "Bentuk",
           "participants": "Peserta", "hours": "JP/peserta", "total": "Total JP",
           "timeframe": "Jangka waktu", "note": "Catatan", "trend": "Tren per unit",
           "period": "Periode", "new": "baru", "persisting": "tetap", "resolved": "selesai",
           "name": "Nama", "nip": "NIP", "unit": "Unit", "hours_had": "JP diterima",
           "shortfall": "Kekurangan JP", "assessed": "Pegawai dinilai",
           "below": "Di bawah minimum", "need_jp": "Kekurangan JP pegawai",
           "avg": "Rata-rata JP dilaporkan", "staff_below": "Pegawai < minimum (dilaporkan)",
           "none": "Tidak ada kebutuhan pengembangan kompetensi dalam penilaian terpilih.",
           "selection": "Pilihan", "all": "semua", "included": "Dimasukkan", "yes": "ya",
           "no": "tidak", "how": "Dasar"},
    "en": {"title": "Competency-development needs analysis (AKPK)",
           "assessments": "assessments", "units": "units", "needs": "Needs (gaps)",
           "need": "Need", "programme": "Programme", "topic": "Topic", "priority": "Priority",
           "units_h": "Units", "employees": "Employees", "groups": "Units/groups",
           "rules": "Rules", "sources": "Assessments",
           "jp_employees": "Employees under {min:g} JP", "jp_units": "JP per unit",
           "plan": "Competency-development programme plan", "forms": "Forms",
           "participants": "Participants", "hours": "JP/participant", "total": "Total JP",
           "timeframe": "Timeframe", "note": "Note", "trend": "Trend per unit",
           "period": "Period", "new": "new", "persisting": "persisting",
           "resolved": "resolved", "name": "Name", "nip": "NIP", "unit": "Unit",
           "hours_had": "JP received", "shortfall": "JP shortfall",
           "assessed": "Employees assessed", "below": "Below minimum",
           "need_jp": "Employees' JP shortfall", "avg": "Reported average JP",
           "staff_below": "Staff < minimum (reported)",
           "none": "No competency-development need in the selected assessments.",
           "selection": "Selection", "all": "all", "included": "Included", "yes": "yes",
           "no": "no", "how": "Basis"},
}


def safe_cell(value: Any) -> Any:
    """A text a spreadsheet will not run: a leading = + - @ (or tab, CR) starts a formula in
    Excel and LibreOffice (CSV/formula injection), so such text gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def report_dict(kb: KnowledgeBase, analysis: NeedsAnalysis, plan: Sequence[PlanLine],
                trends: Sequence[UnitTrend] = (), lang: str = "id") -> dict[str, Any]:
    catalogue = kb.development

    def rule(rule_id: str) -> dict[str, Any]:
        found = kb.rules.get(rule_id)
        return {"id": rule_id, "title": tr(found.title, lang) if found else rule_id,
                "references": list(found.references) if found else []}

    return {
        "title": WORDS[lang]["title"], "lang": lang,
        "selection": analysis.selection.to_dict(),
        "assessments": len(analysis.subjects), "units": analysis.unit_names,
        "minimum_hours": analysis.minimum_hours,
        "minimum_hours_references": list(catalogue.minimum_hours_references),
        "needs": [{
            "diagnosis": line.diagnosis,
            "title": kb.label("diagnoses", line.diagnosis, lang),
            "programme": line.programme, "topic": line.topic,
            "topic_label": kb.label("topics", line.topic, lang),
            "priority": line.priority, "priority_label": kb.label("priorities", line.priority,
                                                                  lang),
            "units": line.units, "employees": len(line.employees),
            "groups": len(line.groups), "assessments": len(line.sources),
            "rules": [rule(r) for r in line.rules],
            "sources": [{"ref": s.ref, "name": s.name, "kind": s.kind, "unit": s.unit,
                         "period": s.period, "rules": list(s.rules), "key": s.key}
                        for s in line.sources],
        } for line in analysis.lines],
        "training_hours": {
            "employees_below": [{"ref": e.ref, "name": e.name, "nip": e.nip, "unit": e.unit,
                                 "period": e.period, "hours": e.hours,
                                 "shortfall": e.shortfall, "key": e.key}
                                for e in analysis.employees_below],
            "units": [{"unit": u.unit, "employees_assessed": u.employees_assessed,
                       "employees_below": u.employees_below,
                       "employee_shortfall": u.employee_shortfall,
                       "average_reported": u.average_reported,
                       "staff_below_reported": u.staff_below_reported, "refs": u.refs}
                      for u in analysis.units],
        },
        "heat_map": [{"topic": topic, "unit": unit, "assessments": count}
                     for (topic, unit), count in sorted(analysis.heat().items())],
        "plan": [{**line.to_dict(),
                  "title": tr(catalogue.programmes[line.programme].title, lang)
                  if line.programme in catalogue.programmes else line.programme,
                  "form_labels": [tr(catalogue.forms[f].label, lang) for f in line.forms
                                  if f in catalogue.forms],
                  "timeframe_label": kb.label("timeframes", line.timeframe, lang),
                  "priority_label": kb.label("priorities", line.priority, lang),
                  "references": list(catalogue.programmes[line.programme].references)
                  if line.programme in catalogue.programmes else []}
                 for line in plan],
        "trend": [{"unit": t.unit, "periods": [
            {"period": s.period, "assessments": s.assessments, "needs": list(s.needs),
             "new": list(s.new), "persisting": list(s.persisting), "resolved": list(s.resolved)}
            for s in t.steps]} for t in trends],
        "knowledge_base": {"version": kb.version},
    }


def _hours(value: float) -> str:
    return f"{value:g}"


def _num(value: Any) -> Any:
    """A whole float as an integer in a table cell (24, not 24.0)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def report_text(kb: KnowledgeBase, data: dict[str, Any]) -> str:
    w = WORDS[data["lang"]]
    out = [w["title"], "=" * len(w["title"])]
    chosen = [f"{k}: {', '.join(v)}" for k, v in data["selection"].items() if v]
    out.append(f"{w['selection']}: {'; '.join(chosen) or w['all']} — {data['assessments']} "
               f"{w['assessments']}, {len(data['units'])} {w['units']}")
    out += ["", w["needs"]]
    if not data["needs"]:
        out.append("  " + w["none"])
    for n, need in enumerate(data["needs"], start=1):
        out.append(f"{n}. [{need['priority_label']}] {need['title']} — {need['topic_label']}")
        out.append(f"   {w['units_h']}: {', '.join(need['units'])}")
        out.append(f"   {w['employees']}: {need['employees']}; {w['groups']}: {need['groups']}; "
                   f"{w['sources']}: {need['assessments']}")
        out.append(f"   {w['how']}: " + "; ".join(
            f"{r['id']} ({', '.join(r['references'])})" for r in need["rules"]))
        for source in need["sources"]:
            where = [source["unit"]] if source["unit"] != source["name"] else []
            where += [source["period"]] if source["period"] else []
            shown = f" ({', '.join(where)})" if where else ""
            out.append(f"     · {source['ref']}: {source['name']}{shown} ← "
                       f"{', '.join(source['rules'])}")
    hours = data["training_hours"]
    out += ["", w["jp_employees"].format(min=data["minimum_hours"])]
    for e in hours["employees_below"]:
        out.append(f"  {e['name']}{' (' + e['nip'] + ')' if e['nip'] else ''} — {e['unit']}: "
                   f"{_hours(e['hours'])} JP, {w['shortfall']} {_hours(e['shortfall'])}")
    out += ["", w["jp_units"]]
    for u in hours["units"]:
        parts = [f"{w['assessed'].lower()} {u['employees_assessed']}",
                 f"{w['below'].lower()} {u['employees_below']}",
                 f"{w['need_jp']} {_hours(u['employee_shortfall'])}"]
        if u["average_reported"] is not None:
            parts.append(f"{w['avg'].lower()} {_hours(u['average_reported'])}")
        if u["staff_below_reported"]:
            parts.append(f"{w['staff_below'].lower()} {_hours(u['staff_below_reported'])}")
        out.append(f"  {u['unit']}: " + ", ".join(parts))
    out += ["", w["plan"]]
    for n, line in enumerate(data["plan"], start=1):
        if not line["included"]:
            continue
        out.append(f"{n}. [{line['priority_label']}] {line['title']} — "
                   f"{', '.join(line['form_labels'])}")
        out.append(f"   {w['participants']}: {line['participants']} × {_hours(line['hours'])} JP"
                   f" = {_hours(line['total_hours'])} JP; {w['timeframe']}: "
                   f"{line['timeframe_label']}; {w['units_h']}: {', '.join(line['units'])}")
        if line["note"]:
            out.append(f"   {w['note']}: {line['note']}")
    if data["trend"]:
        out += ["", w["trend"]]
        for unit in data["trend"]:
            steps = []
            for step in unit["periods"]:
                text = f"{step['period']}: {len(step['needs'])}"
                changes = [f"+{len(step['new'])} {w['new']}"] if step["new"] else []
                if step["resolved"]:
                    changes.append(f"-{len(step['resolved'])} {w['resolved']}")
                steps.append(text + (f" ({', '.join(changes)})" if changes else ""))
            out.append(f"  {unit['unit']}: " + " → ".join(steps))
    return "\n".join(out) + "\n"


def _tables(data: dict[str, Any]) -> dict[str, tuple[list[str], list[list[Any]]]]:
    w = WORDS[data["lang"]]
    needs = ([w["need"], w["topic"], w["priority"], w["units_h"], w["employees"], w["groups"],
              w["sources"], w["rules"]],
             [[n["title"], n["topic_label"], n["priority_label"], ", ".join(n["units"]),
               n["employees"], n["groups"], "; ".join(s["ref"] for s in n["sources"]),
               ", ".join(r["id"] for r in n["rules"])] for n in data["needs"]])
    plan = ([w["programme"], w["forms"], w["participants"], w["hours"], w["total"],
             w["timeframe"], w["priority"], w["units_h"], w["employees"], w["groups"],
             w["note"], w["included"]],
            [[p["title"], ", ".join(p["form_labels"]), p["participants"], _num(p["hours"]),
              _num(p["total_hours"]), p["timeframe_label"], p["priority_label"],
              ", ".join(p["units"]),
              ", ".join(p["employees"]), ", ".join(p["groups"]), p["note"],
              w["yes"] if p["included"] else w["no"]] for p in data["plan"]])
    hours = data["training_hours"]
    employees = ([w["name"], w["nip"], w["unit"], w["period"], w["hours_had"], w["shortfall"],
                  w["sources"]],
                 [[e["name"], e["nip"] or "", e["unit"], e["period"] or "", _num(e["hours"]),
                   _num(e["shortfall"]), e["ref"]] for e in hours["employees_below"]])
    units = ([w["unit"], w["assessed"], w["below"], w["need_jp"], w["avg"], w["staff_below"]],
             [[u["unit"], u["employees_assessed"], u["employees_below"],
               _num(u["employee_shortfall"]),
               "" if u["average_reported"] is None else _num(u["average_reported"]),
               _num(u["staff_below_reported"])] for u in hours["units"]])
    trend = ([w["unit"], w["period"], w["sources"], w["needs"], w["new"], w["persisting"],
              w["resolved"]],
             [[t["unit"], s["period"], s["assessments"], ", ".join(s["needs"]),
               ", ".join(s["new"]), ", ".join(s["persisting"]), ", ".join(s["resolved"])]
              for t in data["trend"] for s in t["periods"]])
    return {"needs": needs, "plan": plan, "employees": employees, "units": units,
            "trend": trend}


SHEETS = {"id": {"needs": "Kebutuhan", "plan": "Rencana", "employees": "JP pegawai",
                 "units": "JP unit", "trend": "Tren"},
          "en": {"needs": "Needs", "plan": "Plan", "employees": "Employee JP",
                 "units": "Unit JP", "trend": "Trend"}}


def report_csv(data: dict[str, Any], table: str = "needs") -> str:
    """One table of the report as CSV (``needs``, ``plan``, ``employees``, ``units``,
    ``trend``), every text cell made safe for a spreadsheet."""
    header, rows = _tables(data)[table]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()


def report_xlsx(data: dict[str, Any]) -> bytes:
    """The whole report as a workbook, one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for key, (header, rows) in _tables(data).items():
        sheet = book.create_sheet(SHEETS[data["lang"]][key])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        for index, _ in enumerate(header, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = 24
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
