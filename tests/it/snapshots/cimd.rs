//! `cimd validate`: the table of a broken document served on loopback.

use super::*;

#[test]
fn cimd_broken_document_table() {
    let server = ReplayServer::start(|origin| {
        let doc = json!({
            "client_id": format!("{origin}/elsewhere.json"),
            "redirect_uris": ["http://app.example/callback", "https://app.example/cb#x"],
            "token_endpoint_auth_method": "client_secret_basic",
        });
        vec![(
            "/oauth/client.json".to_owned(),
            Route::raw(200, Some("text/plain; charset=utf-8"), doc.to_string()),
        )]
    });
    let url = format!("{}/oauth/client.json", server.origin);
    let home = tempfile::tempdir().unwrap();
    let run = run_in(home.path(), &[], &["cimd", "validate", &url], None);
    assert_eq!(run.code, 1, "{}", run.transcript());
    loopback_settings().bind(|| assert_run("cimd_broken_document_table", &run));
}
