//! A batch's index page: the summary and a sortable table of every file.

use std::fmt::Write;

use super::assets::SORT_SCRIPT;
use super::markup::{escape, foot, head, plural};
use crate::report::summary::{Row, Summary};
use crate::report::text::clock;

/// One file's line in the index: its row of the batch table and its page
/// (a link relative to the index), if there is one.
#[derive(Debug, Clone)]
pub struct IndexEntry {
    pub row: Row,
    pub page: Option<String>,
}

/// Renders a batch's index: the summary and a table of every file, sorted
/// by any column with a click on its header.
pub fn render_index(entries: &[IndexEntry], summary: &Summary) -> String {
    let mut out = String::with_capacity(8_000 + entries.len() * 600);
    head(&mut out, "vmcoach: practice messages");
    let mean = summary
        .mean_score
        .map_or("-".to_string(), |m| format!("{m:.1}"));
    let _ = write!(
        out,
        "<section><h1>Practice messages</h1><ul class=\"stats\" style=\"margin-top:10px\">\
         <li><b>{}</b> analysed</li><li><b>{:.1} s</b> of audio</li><li>mean score <b>{mean}</b></li></ul>",
        plural(summary.files_analysed, "file", "files"),
        summary.audio_s
    );
    if !summary.failed_rules.is_empty() {
        out.push_str("<p class=\"sub\" style=\"margin:12px 0 4px\">Most common failed checks (files)</p><ul class=\"stats\">");
        for r in &summary.failed_rules {
            let _ = write!(
                out,
                "<li><span class=\"id\">{}</span> <b>{}</b></li>",
                escape(&r.id),
                r.count
            );
        }
        out.push_str("</ul>");
    }
    out.push_str(
        "</section>\n<section><table id=\"files\"><thead><tr>\
         <th data-sort=\"text\"><button>File</button></th>\
         <th class=\"n\" data-sort=\"num\"><button>Length</button></th>\
         <th class=\"n\" data-sort=\"num\"><button>Pace</button></th>\
         <th data-sort=\"text\"><button>Number</button></th>\
         <th class=\"n\" data-sort=\"num\"><button>Number at</button></th>\
         <th class=\"n\" data-sort=\"num\"><button>Score</button></th>\
         <th data-sort=\"text\"><button>Verdict</button></th>\
         <th data-sort=\"text\"><button>Failed checks</button></th></tr></thead><tbody>\n",
    );
    for e in entries {
        let r = &e.row;
        let file = match &e.page {
            Some(page) => format!("<a href=\"{}\">{}</a>", escape(page), escape(&r.file)),
            None => escape(&r.file),
        };
        let number = r
            .number
            .as_deref()
            .map(crate::analysis::phone::format_digits)
            .unwrap_or_default();
        let failed = r.failed_rules.join(", ");
        let _ = writeln!(
            out,
            "<tr><td data-v=\"{}\">{file}</td><td class=\"n\" data-v=\"{:.2}\">{:.1} s</td>\
             <td class=\"n\" data-v=\"{:.1}\">{:.0}</td><td class=\"nw\" data-v=\"{}\">{}</td>\
             <td class=\"n\" data-v=\"{}\">{}</td><td class=\"n\" data-v=\"{}\"><b>{}</b></td>\
             <td data-v=\"{}\">{}</td><td data-v=\"{}\">{}</td></tr>",
            escape(&r.file),
            r.duration_s,
            r.duration_s,
            r.words_per_minute,
            r.words_per_minute,
            escape(&number),
            escape(&number),
            r.number_start_s.map_or("-1".into(), |s| format!("{s:.2}")),
            r.number_start_s.map_or("-".into(), clock),
            r.score,
            r.score,
            escape(&r.verdict),
            escape(&r.verdict),
            escape(&failed),
            if failed.is_empty() {
                "-".to_string()
            } else {
                escape(&failed)
            },
        );
    }
    out.push_str("</tbody></table></section>\n");
    foot(&mut out, SORT_SCRIPT);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_has_a_verdict_column_and_numbers_that_do_not_wrap() {
        let row = Row {
            file: "a.wav".into(),
            duration_s: 21.3,
            words_per_minute: 150.0,
            number: Some("4805550199".into()),
            number_start_s: Some(3.0),
            score: 41,
            verdict: "likely deleted: no reason given".into(),
            failed_rules: vec!["reason".into()],
        };
        let entries = [IndexEntry { row, page: None }];
        let rows: Vec<Row> = entries.iter().map(|e| e.row.clone()).collect();
        let page = render_index(&entries, &Summary::of(&rows));
        assert!(page.contains("<button>Verdict</button>"));
        assert!(page.contains(">likely deleted: no reason given</td>"));
        assert!(page.contains("<td class=\"nw\" data-v=\"480-555-0199\">480-555-0199</td>"));
        assert!(page.contains("td.nw{white-space:nowrap}"));
    }
}
