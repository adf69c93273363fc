"""The case reader's messages in both languages: a department head reads them in Indonesian."""

from __future__ import annotations

from typing import Any

from expert.errors import Problem

MESSAGES: dict[str, dict[str, str]] = {
    "not_utf8": {"en": "{name} is not UTF-8 text", "id": "{name} bukan teks UTF-8"},
    "empty": {"en": "{name} is empty; a case needs at least 'subject'",
              "id": "{name} kosong; sebuah kasus memerlukan sekurang-kurangnya 'subject'"},
    "not_yaml": {"en": "{name} is not valid YAML or JSON (line {line}, column {column}): {detail}",
                 "id": "{name} bukan YAML atau JSON yang sah (baris {line}, kolom {column}): "
                       "{detail}"},
    "not_json": {"en": "{name} is not valid JSON (line {line}, column {column}): {detail}",
                 "id": "{name} bukan JSON yang sah (baris {line}, kolom {column}): {detail}"},
    "json_comment": {
        "en": "{name} is not valid JSON: JSON allows no comments (line {line}, column {column}); "
              "remove them, or write the case as YAML",
        "id": "{name} bukan JSON yang sah: JSON tidak mengizinkan komentar (baris {line}, kolom "
              "{column}); hapus komentarnya, atau tulis kasus dalam YAML"},
    "json_single_quote": {
        "en": "{name} is not valid JSON: text must be in double quotes, not single quotes "
              "(line {line}, column {column})",
        "id": "{name} bukan JSON yang sah: teks harus diapit tanda kutip ganda, bukan tunggal "
              "(baris {line}, kolom {column})"},
    "json_trailing_comma": {
        "en": "{name} is not valid JSON: a comma before a closing bracket (line {line}, column "
              "{column}); remove it",
        "id": "{name} bukan JSON yang sah: ada koma sebelum kurung penutup (baris {line}, kolom "
              "{column}); hapus koma itu"},
    "too_big": {"en": "{name} is larger than {limit} KiB; a case is at most {limit} KiB",
                "id": "{name} lebih besar dari {limit} KiB; sebuah kasus paling besar {limit} KiB"},
    "too_many_values": {"en": "{name} holds more than {limit} values; a case needs a few hundred",
                        "id": "{name} memuat lebih dari {limit} nilai; sebuah kasus hanya "
                              "memerlukan beberapa ratus"},
    "too_deep": {"en": "{name} is nested deeper than {limit} levels; a case needs at most 4",
                 "id": "{name} bersarang lebih dari {limit} tingkat; sebuah kasus paling banyak "
                       "memerlukan 4"},
    "several_documents": {"en": "a second YAML document (line {line}); a case is one document",
                          "id": "dokumen YAML kedua (baris {line}); sebuah kasus adalah satu "
                                "dokumen"},
    "yaml_alias": {"en": "YAML aliases (*name) are not allowed in a case (line {line})",
                   "id": "alias YAML (*nama) tidak diizinkan dalam kasus (baris {line})"},
    "yaml_anchor": {"en": "YAML anchors (&name) are not allowed in a case (line {line})",
                    "id": "jangkar YAML (&nama) tidak diizinkan dalam kasus (baris {line})"},
    "yaml_tag": {"en": "YAML tags ({tag}) are not allowed in a case (line {line})",
                 "id": "tag YAML ({tag}) tidak diizinkan dalam kasus (baris {line})"},
    "yaml_merge": {"en": "YAML merge keys (<<) are not allowed in a case (line {line})",
                   "id": "kunci gabung YAML (<<) tidak diizinkan dalam kasus (baris {line})"},
    "key_not_text": {"en": "a key must be text, not a list or mapping (line {line})",
                     "id": "kunci harus berupa teks, bukan daftar atau pemetaan (baris {line})"},
    "control_character": {
        "en": "contains a control character ({char}); only newline and tab are allowed",
        "id": "memuat karakter kendali ({char}); hanya baris baru dan tab yang diizinkan"},
    "unreadable": {"en": "cannot read {name}: {detail}",
                   "id": "tidak dapat membaca {name}: {detail}"},
    "not_a_case": {"en": "a case must be a mapping with 'subject' and 'findings'",
                   "id": "kasus harus berupa pemetaan dengan 'subject' dan 'findings'"},
    "unknown_key": {"en": "unknown key", "id": "kunci tidak dikenal"},
    "given_twice": {"en": "'{word}' is given twice", "id": "'{word}' diberikan dua kali"},
    "must_be_text": {"en": "must be text", "id": "harus berupa teks"},
    "subject_required": {"en": "is required (with at least 'name')",
                         "id": "wajib diisi (sekurang-kurangnya 'name')"},
    "subject_mapping": {"en": "must be a mapping with 'name' and optionally 'kind', 'period', "
                              "'office', 'nip', 'position', 'assessor'",
                        "id": "harus berupa pemetaan dengan 'name' dan bila perlu 'kind', "
                              "'period', 'office', 'nip', 'position', 'assessor'"},
    "required": {"en": "is required", "id": "wajib diisi"},
    "non_empty_text": {"en": "must be non-empty text",
                       "id": "harus berupa teks yang tidak kosong"},
    "unknown_kind": {"en": "unknown kind {value!r}", "id": "jenis {value!r} tidak dikenal"},
    "period_text": {"en": "must be text, for example \"2024\"",
                    "id": "harus berupa teks, misalnya \"2024\""},
    "rating_outside": {"en": "rating {value!r} is outside the scale",
                       "id": "nilai {value!r} di luar skala penilaian"},
    "findings_mapping": {
        "en": "must map each indicator to a rating or to sources and ratings",
        "id": "harus memetakan setiap indikator ke nilai, atau ke sumber bukti dan nilainya"},
    "unknown_indicator": {"en": "unknown indicator", "id": "indikator tidak dikenal"},
    "finding_shape": {"en": "must be a rating or a mapping of sources to ratings",
                      "id": "harus berupa nilai atau pemetaan sumber bukti ke nilai"},
    "unknown_source": {"en": "unknown evidence source", "id": "sumber bukti tidak dikenal"},
    "factors_list": {"en": "must be a list of factor ids", "id": "harus berupa daftar id faktor"},
    "unknown_factor": {"en": "unknown factor {value!r}", "id": "faktor {value!r} tidak dikenal"},
    "listed_twice": {"en": "'{word}' is listed twice", "id": "'{word}' tercantum dua kali"},
    "measures_mapping": {"en": "must map each measure to a number",
                         "id": "harus memetakan setiap ukuran ke sebuah angka"},
    "unknown_measure": {"en": "unknown measure", "id": "ukuran tidak dikenal"},
    "not_number": {"en": "must be a plain decimal number such as 4 or 19.5 (or \"19,5\"), "
                         "not {value!r}",
                   "id": "harus berupa angka desimal biasa seperti 4 atau 19,5 (atau 19.5), "
                         "bukan {value!r}"},
    "negative": {"en": "must not be negative (got {value})",
                 "id": "tidak boleh negatif (tertulis {value})"},
    "not_whole": {"en": "must be a whole number (got {value})",
                  "id": "harus bilangan bulat (tertulis {value})"},
    "invalid_text": {"en": "is not valid Unicode text", "id": "bukan teks Unicode yang sah"},
    "unknown_skp": {"en": "unknown SKP predicate {value!r}",
                    "id": "predikat kinerja (SKP) {value!r} tidak dikenal"},
    "unknown_note_key": {"en": "unknown note: use 'general' or an indicator",
                         "id": "catatan tidak dikenal: gunakan 'general' (umum) atau indikator"},
    "too_long": {"en": "is too long: at most {limit} characters (got {length})",
                 "id": "terlalu panjang: paling banyak {limit} karakter (tertulis {length})"},
    "nip_format": {"en": "must be a NIP of {digits} digits, written as text",
                   "id": "harus berupa NIP {digits} angka, ditulis sebagai teks"},
    "too_large": {"en": "must be at most {limit} (got {value})",
                  "id": "paling besar {limit} (tertulis {value})"},
}


MAX_SHOWN = 80  # characters of a user's value or key quoted back in a message
MAX_PATH = 240


class _Shown(str):
    """A value's repr, already shortened: ``{value!r}`` prints it as it is."""

    def __repr__(self) -> str:
        return str(self)


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…({len(text)} characters)"


def _param(value: Any) -> Any:
    """A message parameter that cannot amplify: a 50 MB value is quoted by its first words."""
    if isinstance(value, bool | int | float) or value is None:
        return value if len(repr(value)) <= MAX_SHOWN else _Shown(shorten(repr(value)))
    if isinstance(value, str):
        return shorten(value)
    return _Shown(shorten(repr(value)))


def case_problem(path: str, code: str, allowed: tuple[str, ...] | list[str] = (),
                 **params: Any) -> Problem:
    """A problem of a case, its message in English (``message``) and in every language."""
    texts = MESSAGES[code]
    shown = {key: _param(value) for key, value in params.items()}
    translations = tuple((lang, text.format(**shown)) for lang, text in texts.items())
    return Problem(shorten(path, MAX_PATH), dict(translations)["en"], tuple(allowed),
                   translations=translations)
