//! `search`: Docker Hub's v1 wire format against a loopback server that speaks it, and the
//! `_catalog` fallback against the real registry; tag lists with `Link` pagination.

use berth_reference::Reference;
use berth_registry::{Error, PushOptions, SearchFilters, SearchOptions};

use crate::{
    client_in,
    fake::{Reply, Server},
    harness::{Auth, Registry},
    image, store_in,
};

#[tokio::test]
async fn v1_search_wire_format_and_filters() {
    let server = Server::start(|request| {
        if request.path() != "/v1/search" {
            return Reply::status(404);
        }
        Reply::json(
            200,
            &serde_json::json!({
                "query": request.query("q").first().cloned().unwrap_or_default(),
                "num_results": 3,
                "results": [
                    {"name": "nginx", "description": "Official build of Nginx.", "star_count": 20000,
                     "is_official": true, "is_automated": false},
                    {"name": "bitnami/nginx", "description": "Bitnami nginx", "star_count": 150,
                     "is_official": false, "is_automated": true},
                    {"name": "someone/nginx-proxy", "description": "", "star_count": 3,
                     "is_official": false, "is_automated": false},
                ],
            }),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let client = client_in(dir.path());
    let term = format!("{}/nginx", server.host());
    let all = client
        .search(&term, &SearchOptions::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].name, "nginx");
    assert_eq!(all[0].star_count, 20000);
    assert!(
        all.iter().all(|r| !r.is_automated),
        "is_automated is forced false"
    );
    let request = &server.requests()[0];
    assert_eq!(request.query("q"), ["nginx"]);
    assert_eq!(request.query("n"), ["25"]);
    assert_eq!(request.header("x-docker-token"), Some("true"));

    let official = client
        .search(
            &term,
            &SearchOptions {
                limit: 5,
                filters: SearchFilters::parse(&["is-official=true"]).unwrap(),
            },
        )
        .await
        .unwrap();
    assert_eq!(official.len(), 1);
    let starred = client
        .search(
            &term,
            &SearchOptions {
                limit: 0,
                filters: SearchFilters::parse(&["stars=100"]).unwrap(),
            },
        )
        .await
        .unwrap();
    assert_eq!(starred.len(), 2);
    let automated = client
        .search(
            &term,
            &SearchOptions {
                limit: 0,
                filters: SearchFilters::parse(&["is-automated=true"]).unwrap(),
            },
        )
        .await
        .unwrap();
    assert!(automated.is_empty());
    let limited = client
        .search(
            &term,
            &SearchOptions {
                limit: 2,
                ..SearchOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(limited.len(), 2);
    let error = client
        .search(
            &term,
            &SearchOptions {
                limit: 101,
                ..SearchOptions::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "limit 101 is outside the range of [1, 100]"
    );
    assert!(matches!(error, Error::SearchLimit(101)));
}

#[tokio::test]
async fn search_falls_back_to_the_catalog_and_tags_are_listed() {
    let Some(registry) = Registry::start(Auth::None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let client = client_in(dir.path());
    let store = store_in(dir.path(), "store");
    let host = registry.host();
    let names: Vec<String> = ["team/web:1", "team/web:2", "team/worker:1", "misc/tool:1"]
        .iter()
        .map(|n| format!("{host}/{n}"))
        .collect();
    image::small(
        &store,
        &names.iter().map(String::as_str).collect::<Vec<_>>(),
        "search",
    );
    for name in &names {
        client
            .push(
                &store,
                &Reference::parse_normalized(name).unwrap(),
                &PushOptions::default(),
                |_| {},
            )
            .await
            .unwrap();
    }
    let found = client
        .search(&format!("{host}/team"), &SearchOptions::default())
        .await
        .unwrap();
    let found: Vec<&str> = found.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        found,
        [format!("{host}/team/web"), format!("{host}/team/worker")]
    );
    let catalog = client.catalog(&host).await.unwrap();
    assert_eq!(catalog, ["misc/tool", "team/web", "team/worker"]);
    let mut tags = client
        .list_tags(&Reference::parse_normalized(&format!("{host}/team/web")).unwrap())
        .await
        .unwrap();
    tags.sort();
    assert_eq!(tags, ["1", "2"]);
}

#[tokio::test]
async fn tags_follow_link_pages_on_the_same_origin_only() {
    let server = Server::start(|request| {
        if request.path() == "/v2/" {
            return Reply::status(200);
        }
        let (tags, link) = match request.query("last").first().map(String::as_str) {
            None => (
                vec!["a", "b"],
                Some("</v2/x/y/tags/list?last=b&n=2>; rel=\"next\""),
            ),
            Some("b") => (
                vec!["c"],
                Some("<http://169.254.169.254/v2/x/y/tags/list?last=c>; rel=\"next\""),
            ),
            _ => (vec!["never"], None),
        };
        let body = serde_json::to_vec(&serde_json::json!({"name": "x/y", "tags": tags})).unwrap();
        match link {
            Some(link) => Reply::with(
                200,
                &[("Link", link), ("Content-Type", "application/json")],
                body,
            ),
            None => Reply::with(200, &[], body),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let tags = client_in(dir.path())
        .list_tags(&Reference::parse_normalized(&format!("{}/x/y", server.host())).unwrap())
        .await
        .unwrap();
    assert_eq!(tags, ["a", "b", "c"]);
}
