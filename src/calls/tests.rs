use super::*;
use crate::diagnostics::Severity;

const HEADER: &str = "id,started,ended,entry,environment,snapshot,end,path,comment";

fn step(diagram: &str, step: &str, answer: Option<&str>) -> Step {
    Step {
        diagram: diagram.into(),
        step: step.into(),
        answer: answer.map(String::from),
    }
}

fn record(id: &str, started: &str) -> Record {
    Record {
        id: id.into(),
        started: started.into(),
        ended: started.into(),
        entry: "facturation".into(),
        entry_title: None,
        environment: Some("bcp".into()),
        snapshot: "2026-12-01".into(),
        path: vec![
            step("Litige", "Identifier le client", Some("Client trouvé")),
            step("Litige", "Geste commercial", None),
        ],
        end: None,
        fields: BTreeMap::new(),
        comment: String::new(),
    }
}

fn merged(fields: &[&str], records: Vec<Record>) -> Merged {
    Merged {
        site: None,
        fields: fields
            .iter()
            .map(|name| Field {
                name: name.to_string(),
                label: None,
            })
            .collect(),
        records,
        duplicates: 0,
        conflicts: 0,
    }
}

/// Reads one file; panics with the diagnostics when it has errors.
fn read_ok(report: &mut Report, name: &str, bytes: &[u8]) -> Export {
    match read(report, name, bytes) {
        Some(export) => export,
        None => panic!("{name} not read: {:?}", report.diagnostics()),
    }
}

fn errors(name: &str, bytes: &[u8]) -> Vec<String> {
    let mut report = Report::default();
    assert!(read(&mut report, name, bytes).is_none());
    report
        .diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message.clone())
        .collect()
}

#[test]
fn csv_quotes_commas_quotes_and_line_breaks_and_keeps_accents() {
    let mut r = record("a1", "2026-12-02T14:58:00.000Z");
    r.comment = "Rappeler demain, après 18 h".into();
    r.end = Some("Geste \"commercial\" accordé".into());
    r.fields.insert("note".into(), "ligne 1\nligne 2".into());
    r.fields.insert("autre".into(), "crlf\r\nici".into());
    r.environment = None;
    let bytes = to_csv(&merged(&["note", "autre"], vec![r.clone()])).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let expected = format!(
        "\u{feff}{HEADER},note,autre\r\n\
         a1,2026-12-02T14:58:00.000Z,2026-12-02T14:58:00.000Z,facturation,,2026-12-01,\
         \"Geste \"\"commercial\"\" accordé\",\
         Litige › Identifier le client → Client trouvé | Litige › Geste commercial,\
         \"Rappeler demain, après 18 h\",\"ligne 1\nligne 2\",\"crlf\r\nici\"\r\n"
    );
    assert_eq!(text, expected);

    // And it reads back as the same record.
    let mut report = Report::default();
    let export = read_ok(&mut report, "x.csv", &bytes);
    assert_eq!(export.kind, Kind::Csv);
    assert_eq!(export.records.len(), 1);
    assert_eq!(export.records[0].record, r);
}

#[test]
fn csv_leaves_plain_cells_unquoted() {
    let mut r = record("a1", "2026-12-02T14:58:00.000Z");
    r.comment = "  espaces autour  ; point-virgule".into();
    let text = String::from_utf8(to_csv(&merged(&[], vec![r])).unwrap()).unwrap();
    assert!(
        text.ends_with(",  espaces autour  ; point-virgule\r\n"),
        "{text}"
    );
}

#[test]
fn csv_reads_with_or_without_bom_and_with_lf_or_crlf() {
    let row = "a1,2026-12-02T14:58:00.000Z,2026-12-02T15:04:05.000Z,facturation,bcp,2026-12-01,,Litige › Étape,\"deux\nlignes\",12345678";
    for (bom, eol) in [
        ("\u{feff}", "\r\n"),
        ("", "\n"),
        ("", "\r\n"),
        ("\u{feff}", "\n"),
    ] {
        let text = format!("{bom}{HEADER},numero_compte{eol}{row}{eol}");
        let mut report = Report::default();
        let export = read_ok(&mut report, "x.csv", text.as_bytes());
        let r = &export.records[0].record;
        assert_eq!(r.comment, "deux\nlignes");
        assert_eq!(r.end, None);
        assert_eq!(r.path, vec![step("Litige", "Étape", None)]);
        assert_eq!(r.fields["numero_compte"], "12345678");
        assert_eq!(export.fields[0].name, "numero_compte");
    }
}

#[test]
fn a_record_is_the_same_call_whether_read_from_csv_or_json() {
    let json = r#"{"format": "lifeboat-calls", "version": 1, "site": "Site", "site_id": "3f9a0c1d2e4b5a67",
      "exported": "2026-12-02T15:04:05.000Z",
      "fields": [{"name": "numero_compte", "label": "Numéro de compte"}],
      "records": [{"id": "a1", "started": "2026-12-02T14:58:00.000Z", "ended": "2026-12-02T15:04:05.000Z",
        "entry": "facturation", "entry_title": "Facturation", "environment": null, "snapshot": "2026-12-01",
        "path": [{"diagram": "Litige", "step": "Identifier", "answer": "Trouvé"}, {"diagram": "Litige", "step": "Fin", "answer": null}],
        "end": "", "fields": {"numero_compte": "12345678", "vide": ""}, "comment": "Rappeler, demain"}]}"#;
    let csv = format!(
        "\u{feff}{HEADER},numero_compte,vide\r\na1,2026-12-02T14:58:00.000Z,2026-12-02T15:04:05.000Z,facturation,,2026-12-01,,Litige › Identifier → Trouvé | Litige › Fin,\"Rappeler, demain\",12345678,\r\n"
    );
    let mut report = Report::default();
    let from_csv = read_ok(&mut report, "b.csv", csv.as_bytes());
    let from_json = read_ok(&mut report, "a.json", json.as_bytes());
    assert_eq!(from_json.kind, Kind::Json);
    let (c, j) = (&from_csv.records[0].record, &from_json.records[0].record);
    assert!(c.same_call(j), "{c:?}\n{j:?}");
    assert_eq!(c.path, j.path);

    // Merged CSV first: silent, counted, and the JSON's entry title is kept.
    let merged = merge(&mut report, &[from_csv, from_json]).unwrap();
    assert!(
        report.diagnostics().is_empty(),
        "{:?}",
        report.diagnostics()
    );
    assert_eq!((merged.records.len(), merged.duplicates), (1, 1));
    assert_eq!(
        merged.records[0].entry_title.as_deref(),
        Some("Facturation")
    );
    assert_eq!(
        merged.site.as_ref().map(|s| s.id.as_str()),
        Some("3f9a0c1d2e4b5a67")
    );
    let names: Vec<_> = merged.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["numero_compte", "vide"]);
    assert_eq!(merged.fields[0].label.as_deref(), Some("Numéro de compte"));
}

/// A CSV export of `records`, as the browser writes one.
fn csv_export(records: Vec<Record>) -> Vec<u8> {
    to_csv(&merged(&[], records)).unwrap()
}

#[test]
fn merge_keeps_the_first_of_different_records_sorts_and_warns() {
    let mut report = Report::default();
    let late = record("z9", "2026-12-02T16:00:00.000Z");
    let mut changed = late.clone();
    changed.comment = "autre".into();
    let early = record("b2", "2026-12-02T08:00:00+01:00");
    let same_time = record("a1", "2026-12-02T07:00:00.000Z");
    let first = read_ok(&mut report, "a.csv", &csv_export(vec![late.clone()]));
    let second = read_ok(
        &mut report,
        "b.csv",
        &csv_export(vec![changed, early.clone(), same_time.clone()]),
    );
    let merged = merge(&mut report, &[first, second]).unwrap();
    // 08:00+01:00 is 07:00Z: the same instant as a1, so the id decides.
    let ids: Vec<_> = merged.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["a1", "b2", "z9"]);
    assert_eq!(merged.records[2], late);
    assert_eq!((merged.duplicates, merged.conflicts), (1, 1));
    let warnings: Vec<_> = report.diagnostics().iter().collect();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].severity, Severity::Warning);
    assert!(
        warnings[0].message.contains("`a.csv`"),
        "{}",
        warnings[0].message
    );
    assert!(
        warnings[0].message.contains("`b.csv`"),
        "{}",
        warnings[0].message
    );
}

#[test]
fn exports_of_two_sites_are_refused() {
    let json = |site_id: &str| {
        format!(
            r#"{{"format":"lifeboat-calls","version":1,"site":"S","site_id":"{site_id}","exported":null,"fields":[],"records":[]}}"#
        )
    };
    let mut report = Report::default();
    let a = read_ok(&mut report, "a.json", json("1111111111111111").as_bytes());
    let b = read_ok(&mut report, "b.json", json("2222222222222222").as_bytes());
    let c = read_ok(&mut report, "c.csv", &csv_export(Vec::new()));
    assert!(merge(&mut report, &[a.clone(), c, a.clone()]).is_some());
    assert!(merge(&mut report, &[a, b]).is_none());
    let message = &report.diagnostics()[0].message;
    assert!(
        message.contains("a.json") && message.contains("b.json") && message.contains("2222"),
        "{message}"
    );
}

#[test]
fn merged_output_reads_back_as_the_same_merge() {
    let mut a = record("a1", "2026-12-02T14:58:00.000Z");
    a.fields
        .insert("numero_compte".into(), "1, \"2\"\n3".into());
    a.comment = "« é » | › →".into();
    a.entry_title = Some("Facturation".into());
    let mut b = record("b2", "2026-12-02T15:58:00.000Z");
    b.path = Vec::new();
    b.entry_title = a.entry_title.clone();
    let once = Merged {
        site: Some(Site {
            name: Some("Site".into()),
            id: "3f9a0c1d2e4b5a67".into(),
            span: 0..0,
        }),
        ..merged(&["numero_compte", "motif"], vec![a, b])
    };
    let now = OffsetDateTime::UNIX_EPOCH;
    for json in [false, true] {
        let bytes = if json {
            to_json(&once, now).unwrap()
        } else {
            to_csv(&once).unwrap()
        };
        let mut report = Report::default();
        let export = read_ok(&mut report, "m", &bytes);
        let twice = merge(&mut report, &[export]).unwrap();
        let again = if json {
            to_json(&twice, now).unwrap()
        } else {
            to_csv(&twice).unwrap()
        };
        assert_eq!(
            String::from_utf8(again).unwrap(),
            String::from_utf8(bytes).unwrap()
        );
    }
}

#[test]
fn a_path_cell_always_joins_back_to_the_same_text() {
    let cells = [
        "",
        "Litige › Identifier → Trouvé | Litige › Fin",
        "a › b › c → d → e | f",
        " › x",
        "x →  | y",
        " | ",
        " |  | ",
        "→ › |",
        "Étape sans diagramme",
        "a | b → c",
    ];
    for cell in cells {
        assert_eq!(path_text(&path_steps(cell)), cell, "{cell:?}");
    }
    let steps = path_steps("A › s1 → r1 | B › s2 → r2 | B › s3 → pas une réponse");
    assert_eq!(
        steps,
        vec![
            step("A", "s1", Some("r1")),
            step("B", "s2", Some("r2")),
            step("B", "s3 → pas une réponse", None),
        ]
    );
}

#[test]
fn foreign_damaged_and_empty_files_are_named() {
    let not_utf8 = errors("x.csv", b"id,started\n\xff\xfe");
    assert!(not_utf8[0].contains("not UTF-8"), "{not_utf8:?}");
    assert!(errors("x", b"")[0].contains("is empty"));
    assert!(errors("x", b"\xef\xbb\xbf \r\n")[0].contains("is empty"));
    assert!(errors("x.json", b"[1, 2]")[0].contains("not a Lifeboat call log export"));
    assert!(errors("x.json", br#"{"name": "x"}"#)[0].contains("`format`"));
    let newer = errors(
        "x.json",
        br#"{"format": "lifeboat-calls", "version": 2, "records": []}"#,
    );
    assert!(newer[0].contains("`version`"), "{newer:?}");
    let cut = errors(
        "x.json",
        br#"{"format": "lifeboat-calls", "version": 1, "records": [{"#,
    );
    assert!(cut[0].contains("EOF"), "{cut:?}");
    let open_quote =
        format!("{HEADER}\r\na,2026-12-02T14:58:00Z,2026-12-02T14:58:00Z,e,,s,,p,\"cut");
    assert!(errors("x.csv", open_quote.as_bytes())[0].contains("never closed"));
    let twice = format!("{HEADER},x,x\r\n");
    assert!(errors("x.csv", twice.as_bytes())[0].contains("twice"));
    let twice = br#"{"format": "lifeboat-calls", "version": 1, "records": [{"id": "a", "started": "2026-12-02T14:58:00Z",
        "ended": "2026-12-02T14:58:00Z", "entry": "e", "snapshot": "s", "path": [], "fields": {"x": "1", "x": "2"}}]}"#;
    assert!(errors("x.json", twice)[0].contains("twice"));
    // Nesting 100,000 deep in a record, its path and a field: refused at the first level (serde_json
    // skips raw values without recursing), no stack overflow.
    let (open, close) = ("[".repeat(100_000), "]".repeat(100_000));
    for (record, expected) in [
        (format!("{open}{close}"), "not a JSON object"),
        (
            format!(
                r#"{{"id": "a", "started": "2026-12-02T14:58:00Z", "ended": "2026-12-02T14:58:00Z", "entry": "e", "snapshot": "s", "path": {open}{close}, "fields": {{"x": {open}{close}}}}}"#
            ),
            "invalid type: sequence",
        ),
    ] {
        let deep =
            format!(r#"{{"format": "lifeboat-calls", "version": 1, "records": [{record}]}}"#);
        let deep = errors("x.json", deep.as_bytes());
        assert!(deep[0].contains(expected), "{deep:?}");
    }
    let standard = format!("{HEADER},comment\r\n");
    assert!(errors("x.csv", standard.as_bytes())[0].contains("standard column"));
}

#[test]
fn json_errors_point_at_the_value() {
    let text = "{\"format\": \"lifeboat-calls\", \"version\": 1, \"records\": [\n  {\"id\": \"a\", \"started\": \"hier\"}\n]}";
    let mut report = Report::default();
    assert!(read(&mut report, "x.json", text.as_bytes()).is_none());
    let d = &report.diagnostics()[0];
    let file = d.file.unwrap();
    assert!(d.message.contains("missing field"), "{}", d.message);
    // The record ends on line 2: serde_json names the object's end.
    assert_eq!(
        report
            .line_col(file, d.span.clone().unwrap().start)
            .unwrap()
            .0,
        2
    );

    let text = "{\"format\": \"lifeboat-calls\", \"version\": 1, \"records\": [\n  {\"id\": \"a\", \"started\": \"hier\", \"ended\": \"2026-12-02T14:58:00Z\", \"entry\": \"e\", \"snapshot\": \"s\", \"path\": []}\n]}";
    let mut report = Report::default();
    assert!(read(&mut report, "x.json", text.as_bytes()).is_none());
    let d = &report.diagnostics()[0];
    let span = d.span.clone().unwrap();
    assert_eq!(&text[span.clone()], "\"hier\"");
    assert_eq!(report.line_col(d.file.unwrap(), span.start), Some((2, 26)));
}

/// xorshift64*: the same inputs on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Reads, merges and writes whatever was read; none of it may panic.
fn survive(bytes: &[u8]) {
    let mut report = Report::default();
    if let Some(export) = read(&mut report, "f", bytes) {
        if let Some(merged) = merge(&mut report, &[export.clone(), export]) {
            to_csv(&merged).unwrap();
            to_json(&merged, OffsetDateTime::UNIX_EPOCH).unwrap();
        }
    }
    let mut out = Vec::new();
    report
        .emit_text(&mut codespan_reporting::term::termcolor::NoColor::new(
            &mut out,
        ))
        .unwrap();
}

#[test]
fn no_input_makes_it_panic() {
    let mut r = record("a1", "2026-12-02T14:58:00.000Z");
    r.fields
        .insert("numero_compte".into(), "1, \"2\"\n3".into());
    r.entry_title = Some("É".into());
    let seeds: Vec<Vec<u8>> = vec![
        to_csv(&merged(&["numero_compte"], vec![r.clone()])).unwrap(),
        to_json(
            &merged(&["numero_compte"], vec![r]),
            OffsetDateTime::UNIX_EPOCH,
        )
        .unwrap(),
    ];
    let tokens: [&[u8]; 12] = [
        b"\"",
        b",",
        b"\r\n",
        b"\n",
        b"{",
        b"}",
        b"[",
        b"]",
        b"null",
        "é".as_bytes(),
        b"\xff",
        b"\\u0000",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..300 {
        let len = rng.below(200);
        let noise: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        survive(&noise);
    }
    for seed in &seeds {
        for _ in 0..400 {
            let mut bytes = seed.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bytes.len() + 1);
                match rng.below(4) {
                    0 => bytes.truncate(at),
                    1 if at < bytes.len() => bytes[at] = rng.next() as u8,
                    2 if at < bytes.len() => {
                        bytes.remove(at);
                    }
                    _ => {
                        let token = tokens[rng.below(tokens.len())];
                        bytes.splice(at..at, token.iter().copied());
                    }
                }
            }
            survive(&bytes);
        }
    }
}
