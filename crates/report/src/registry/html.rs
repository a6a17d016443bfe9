//! `matrix merge --format html`: one self-contained page (no external asset,
//! no network: its Content-Security-Policy allows nothing but itself). The
//! summary is written here as HTML, so it reads without JavaScript; the rows
//! go in as JSON data (`<script type="application/json" id="data">`, with
//! `<`, `>` and `&` escaped so no value can end the script) that `page.js`
//! shows as a sortable, filterable table with a detail view, inserting every
//! value as text.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::markdown::percent;
use super::summary::Summary;
use super::{MergedDoc, RegistryRow};
use crate::checks::clients::id::SPEC_2025_11_25;

const PAGE: &str = include_str!("page.html");
const CSS: &str = include_str!("page.css");
const JS: &str = include_str!("page.js");

/// Render the page.
pub fn render(
    rows: &[RegistryRow],
    summary: &Summary,
    tool: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let doc = MergedDoc::new(rows, summary, tool);
    let data = serde_json::to_string(&doc).map_err(io::Error::other)?;
    let parts = [
        ("count", rows.len().to_string()),
        ("tool", escape(tool)),
        ("css", CSS.to_owned()),
        ("summary", summary_html(summary)),
        ("data", script_safe(&data)),
        ("js", JS.to_owned()),
    ];
    fill(PAGE, &parts, out)
}

/// Write `template` with each `{{name}}` replaced by its part; the parts are
/// not scanned again, so a value that reads `{{js}}` stays text.
fn fill(template: &str, parts: &[(&str, String)], out: &mut dyn Write) -> io::Result<()> {
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let name = &rest[start + 2..start + len];
        out.write_all(&rest.as_bytes()[..start])?;
        match parts.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => out.write_all(value.as_bytes())?,
            None => out.write_all(&rest.as_bytes()[start..start + len + 2])?,
        }
        rest = &rest[start + len + 2..];
    }
    out.write_all(rest.as_bytes())
}

/// JSON text safe inside a `<script>` element: `<`, `>` and `&` only occur
/// in JSON strings, where their `\u` escapes mean the same.
pub fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Text as HTML character data or a quoted attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

fn summary_html(s: &Summary) -> String {
    let mut h = String::from("<section id=\"summary\" aria-labelledby=\"summary-title\">\n");
    h.push_str("<h2 id=\"summary-title\">Summary</h2>\n<div class=\"cards\">\n");
    for a in &s.access {
        let _ = writeln!(
            h,
            "<div class=\"card {0}\"><span class=\"n\">{1}</span> <span>{0}</span></div>",
            a.access.as_str(),
            a.servers
        );
    }
    h.push_str("</div>\n");
    clients_html(s, &mut h);
    failing_html(s, &mut h);
    servers_html(s, &mut h);
    h.push_str("</section>");
    h
}

fn clients_html(s: &Summary, h: &mut String) {
    h.push_str("<h3>Which clients can sign in</h3>\n");
    if s.sign_in == 0 {
        h.push_str("<p>No server asks for sign-in.</p>\n");
        return;
    }
    let _ = writeln!(
        h,
        "<p>Of the {} servers that ask for sign-in, how many each client profile gets through.</p>",
        s.sign_in
    );
    h.push_str("<table class=\"clients\"><thead><tr><th scope=\"col\">Client</th><th scope=\"col\">Kind</th><th scope=\"col\">Works</th><th scope=\"col\" class=\"barcol\">Share</th></tr></thead><tbody>\n");
    for c in &s.clients {
        let pct = percent(c.works, s.sign_in);
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"num\">{} / {}</td>\
             <td class=\"barcol\"><span class=\"bar\"><span style=\"width:{:.1}%\"></span></span> {}</td></tr>",
            escape(&c.id),
            c.kind.label(),
            c.works,
            s.sign_in,
            c.share * 100.0,
            pct
        );
    }
    h.push_str("</tbody></table>\n");
}

fn failing_html(s: &Summary, h: &mut String) {
    h.push_str("<h3>Most common failing checks</h3>\n");
    if s.failing_checks.is_empty() {
        h.push_str("<p>No check fails.</p>\n");
        return;
    }
    h.push_str("<table class=\"checks\"><thead><tr><th scope=\"col\">Check</th><th scope=\"col\">Servers</th><th scope=\"col\">What</th><th scope=\"col\">Fix</th></tr></thead><tbody>\n");
    for c in &s.failing_checks {
        let def = crate::checks::find(&c.id);
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td>{}</td><td>{}<br><small>{}</small></td></tr>",
            escape(&c.id),
            c.servers,
            escape(def.map_or("", |d| d.title)),
            escape(def.map_or("", |d| d.hint)),
            escape(def.map_or("", |d| d.spec))
        );
    }
    h.push_str("</tbody></table>\n");
}

fn servers_html(s: &Summary, h: &mut String) {
    h.push_str("<h3>By authorization server</h3>\n");
    if s.authorization_servers.is_empty() {
        h.push_str("<p>No server asks for sign-in.</p>\n");
        return;
    }
    let _ = writeln!(
        h,
        "<table class=\"servers\"><thead><tr><th scope=\"col\">Authorization server</th>\
         <th scope=\"col\">Servers</th><th scope=\"col\"><code>{SPEC_2025_11_25}</code> works</th>\
         <th scope=\"col\">Most common failing check</th></tr></thead><tbody>"
    );
    for g in &s.authorization_servers {
        let top = g.top_failing.as_ref().map_or("–".to_owned(), |c| {
            format!("<code>{}</code> ({})", escape(&c.id), c.servers)
        });
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{} ({})</td><td>{}</td></tr>",
            escape(&g.host),
            g.servers,
            g.spec_works,
            percent(g.spec_works, g.servers),
            top
        );
    }
    h.push_str("</tbody></table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::ecosystem::Access;
    use crate::registry::summary::tests::{row, sample};

    const HOSTILE: &str = "</script><img src=x onerror=alert(1)>";

    fn page(rows: &[RegistryRow]) -> String {
        let mut out = Vec::new();
        render(rows, &Summary::of(rows), "mcp-auth 0.1.0", &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The JSON in the data script, parsed as the page does.
    fn data(html: &str) -> serde_json::Value {
        let start = html
            .find("<script type=\"application/json\" id=\"data\">")
            .unwrap();
        let body = &html[start..];
        let body = &body[body.find('>').unwrap() + 1..body.find("</script>").unwrap()];
        serde_json::from_str(body).unwrap()
    }

    #[test]
    fn a_hostile_name_cannot_close_the_data_script() {
        let mut rows = sample();
        rows[0].name = HOSTILE.to_owned();
        rows[1].authorization_server = Some("https://<img src=x onerror=alert(1)>".to_owned());
        rows[2].headline = format!("{HOSTILE} & {{{{js}}}}");
        let html = page(&rows);
        assert!(!html.contains(HOSTILE), "the raw string is not in the page");
        assert!(!html.contains("<img"));
        assert_eq!(
            html.matches("</script>").count(),
            2,
            "only the page's own scripts end"
        );
        let v = data(&html);
        assert_eq!(
            v["rows"][0]["name"], HOSTILE,
            "the data read back as written"
        );
        assert_eq!(v["rows"][2]["headline"], format!("{HOSTILE} & {{{{js}}}}"));
        // The host is written into the summary as text.
        assert!(html.contains("<tr><td>&lt;img src=x onerror=alert(1)&gt;</td>"));
    }

    #[test]
    fn the_page_loads_nothing_from_the_network() {
        let html = page(&sample());
        let lower = html.to_ascii_lowercase();
        for attr in ["src=", "href=", "url(", "@import", "srcset=", "action="] {
            for quote in ["", "\"", "'"] {
                for scheme in ["http:", "https:", "//"] {
                    let needle = format!("{attr}{quote}{scheme}");
                    assert!(!lower.contains(&needle), "the page refers to {needle}");
                }
            }
        }
        // The URLs in the page are the data's, inside the data script.
        let end = html.find("<script type=\"application/json\"").unwrap();
        let data_end = end + html[end..].find("</script>").unwrap();
        let outside = format!("{}{}", &html[..end], &html[data_end..]);
        assert!(!outside.contains("http://") && !outside.contains("https://"));
        assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none';"));
    }

    #[test]
    fn the_summary_is_written_as_html() {
        let html = page(&sample());
        assert!(html.contains("<title>MCP Registry: 7 remote servers</title>"));
        assert!(html.contains("Checked by mcp-auth 0.1.0."));
        assert!(html
            .contains("<tr><td><code>claude</code></td><td>host</td><td class=\"num\">1 / 4</td>"));
        assert!(html.contains("<span style=\"width:25.0%\"></span></span> 25%"));
        assert!(html.contains("<tr><td>auth.one.example</td><td class=\"num\">2</td><td class=\"num\">1 (50%)</td><td><code>AS-PKCE-S256</code> (1)</td></tr>"));
        let def = crate::checks::find("PRM-DISCOVERABLE").unwrap();
        assert!(html.contains(&escape(def.hint)));
        for hole in [
            "{{css}}",
            "{{js}}",
            "{{data}}",
            "{{summary}}",
            "{{count}}",
            "{{tool}}",
        ] {
            assert!(!html.contains(hole), "{hole} is filled");
        }
        let v = data(&html);
        assert_eq!(v["summary"]["servers"], 7);
        assert!(v["catalogue"]["AS-PKCE-S256"]["hint"].is_string());
    }

    #[test]
    fn an_empty_run_still_renders() {
        let html = page(&[]);
        assert!(html.contains("No server asks for sign-in."));
        assert_eq!(data(&html)["rows"], serde_json::json!([]));
        let open = [row("o", Access::Open, None, &[], &[])];
        assert!(page(&open).contains("No check fails."));
    }

    #[test]
    fn escapes() {
        assert_eq!(escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
        assert_eq!(
            script_safe("\"</script>&\""),
            "\"\\u003c/script\\u003e\\u0026\""
        );
    }
}
