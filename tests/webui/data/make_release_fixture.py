"""How data/release_5ecca5d.sql.gz was made, kept for the record (run it on a checkout of
commit 5ecca5d, then: sqlite3 INSTANCE/kinerja.sqlite .dump | gzip -9 > release_5ecca5d.sql.gz).
It is not collected by pytest and needs that commit's code."""

import sys

from expert import read_case_file
from webui.db import record_evaluation
from webui.expert_ext import knowledge_base
from webui.server import prepare

app = prepare(sys.argv[1] if len(sys.argv) > 1 else "release-instance")
with app.app_context():
    kb = knowledge_base()
    cases = kb.directory / "cases"
    a = record_evaluation(kb, read_case_file(kb, cases / "06_poor_performance.yaml"),
                          origin="form", indicator_notes={"ability": "Catatan kemampuan"})
    record_evaluation(kb, read_case_file(kb, cases / "03_all_good_recognition.yaml"),
                      origin="form", assessment=a)
    record_evaluation(kb, read_case_file(kb, cases / "07_indonesian_vocabulary.yaml"),
                      origin="upload")
