//! `search`, tag lists and the catalog.
//!
//! `search TERM` asks the v1 search API (Docker Hub's wire format) of the registry named by the
//! term's first component, like Docker. Registries that only speak v2 (the CNCF registry,
//! Harbor, …) answer 404 there; berth then lists `/v2/_catalog` and keeps the repositories whose
//! name contains the term, so search works on private registries too.

use berth_reference::Reference;
use reqwest::{header, StatusCode};

use crate::{
    client::{read_capped, redact_url, status_error, Client, Session},
    error::{Error, Result},
    hosts::{DOCKER_HUB_DOMAIN, DOCKER_HUB_INDEX_HOST},
};

/// The daemon's default result count when `--limit` is 0.
pub const DEFAULT_SEARCH_LIMIT: usize = 25;
const MAX_SEARCH_LIMIT: usize = 100;
/// Bound on one search, tags or catalog response page.
const MAX_LIST_BYTES: u64 = 4 * 1024 * 1024;
/// Bound on pages followed through `Link` headers.
const MAX_PAGES: usize = 1000;
/// Bound on the bytes of all the pages of one list together: a registry serving endless pages
/// costs at most this much reading (issue #13 item 3; 1.19 GB RSS after 20 pages before).
pub const MAX_LIST_TOTAL_BYTES: u64 = 64 * 1024 * 1024;
/// Bound on the names kept from one list: tags for `pull -a` and `search --list-tags`, repositories
/// of `catalog`. `search` keeps only its matches (at most `--limit`) and stops paging when it has them.
pub const MAX_LIST_ENTRIES: usize = 10_000;
/// Page size asked for when listing the catalog and tags.
const PAGE_SIZE: usize = 1000;

/// `-f` filters of `search`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilters {
    /// `stars=N`: at least N stars (the highest given wins).
    pub stars: Option<u64>,
    /// `is-official=BOOL`.
    pub is_official: Option<bool>,
    /// `is-automated=BOOL` (deprecated: `true` matches nothing, as in Docker).
    pub is_automated: Option<bool>,
}

impl SearchFilters {
    /// Parses `key=value` filters as Docker does.
    pub fn parse<S: AsRef<str>>(filters: &[S]) -> Result<SearchFilters> {
        let mut out = SearchFilters::default();
        for filter in filters {
            let filter = filter.as_ref();
            let bad = || Error::SearchFilter(filter.to_owned());
            let (key, value) = filter.split_once('=').ok_or_else(bad)?;
            match key.trim() {
                "stars" => {
                    let stars: u64 = value.trim().parse().map_err(|_| bad())?;
                    out.stars = Some(out.stars.map_or(stars, |s| s.max(stars)));
                }
                "is-official" => out.is_official = Some(parse_bool(value).ok_or_else(bad)?),
                "is-automated" => out.is_automated = Some(parse_bool(value).ok_or_else(bad)?),
                _ => return Err(bad()),
            }
        }
        Ok(out)
    }

    fn keep(&self, result: &SearchResult) -> bool {
        if self.is_automated == Some(true) {
            return false;
        }
        if self
            .is_official
            .is_some_and(|official| official != result.is_official)
        {
            return false;
        }
        self.stars.is_none_or(|stars| result.star_count >= stars)
    }
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.trim() {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// Options of [`Client::search`].
#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    /// 1-100; 0 means the default 25.
    pub limit: usize,
    pub filters: SearchFilters,
}

/// One search hit, as Docker Hub's v1 API returns it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct SearchResult {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub star_count: u64,
    #[serde(default)]
    pub is_official: bool,
    /// Always false in output, as Docker (the field is deprecated).
    #[serde(default)]
    pub is_automated: bool,
}

#[derive(serde::Deserialize)]
struct SearchResponse {
    #[serde(default)]
    results: Vec<SearchResult>,
}

/// Docker's `splitReposSearchTerm`: `host/rest` searches `host` for `rest`; anything else is
/// Docker Hub.
fn split_search_term(term: &str) -> (String, String) {
    match term.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first.to_owned(), rest.to_owned())
        }
        _ => (DOCKER_HUB_DOMAIN.to_owned(), term.to_owned()),
    }
}

impl Client {
    /// Searches the registry named by `term` (Docker Hub by default); falls back to the catalog.
    pub async fn search(&self, term: &str, options: &SearchOptions) -> Result<Vec<SearchResult>> {
        let limit = match options.limit {
            0 => DEFAULT_SEARCH_LIMIT,
            n if n > MAX_SEARCH_LIMIT => return Err(Error::SearchLimit(n)),
            n => n,
        };
        let (registry, mut query) = split_search_term(term);
        let hub = registry == DOCKER_HUB_DOMAIN || registry == DOCKER_HUB_INDEX_HOST;
        if hub {
            if let Some(short) = query.strip_prefix("library/") {
                query = short.to_owned();
            }
        }
        let mut endpoint = self.endpoint(&registry).await?;
        if hub {
            DOCKER_HUB_INDEX_HOST.clone_into(&mut endpoint.host);
            endpoint.base = url::Url::parse(&format!("https://{DOCKER_HUB_INDEX_HOST}/"))
                .map_err(|_| Error::BadServer(registry.clone()))?;
        }
        let session = self.session(endpoint, Vec::new());
        let mut url = session.url("v1/search")?;
        url.query_pairs_mut()
            .append_pair("q", &query)
            .append_pair("n", &limit.to_string());
        let response = session
            .send(
                reqwest::Method::GET,
                url,
                crate::client::Retry::Transient,
                true,
                &|r| r.header("X-Docker-Token", "true"),
            )
            .await?;
        let mut results = match response.status() {
            StatusCode::OK => {
                let url = redact_url(response.url());
                let body = read_capped(response, MAX_LIST_BYTES, "search response").await?;
                serde_json::from_slice::<SearchResponse>(&body)
                    .map_err(|source| Error::BadResponse { url, source })?
                    .results
            }
            StatusCode::NOT_FOUND
            | StatusCode::METHOD_NOT_ALLOWED
            | StatusCode::NOT_IMPLEMENTED
                if !hub =>
            {
                tracing::debug!(%registry, "no v1 search, filtering the catalog");
                let mut found = Vec::new();
                self.catalog_pages(&registry, |page| {
                    found.extend(
                        page.into_iter()
                            .filter(|name| name.contains(&query))
                            .map(|name| SearchResult {
                                name: format!("{registry}/{name}"),
                                description: String::new(),
                                star_count: 0,
                                is_official: false,
                                is_automated: false,
                            })
                            .filter(|r| options.filters.keep(r)),
                    );
                    Ok(if found.len() >= limit {
                        Flow::Done
                    } else {
                        Flow::More
                    })
                })
                .await?;
                found
            }
            _ => return Err(status_error(response).await),
        };
        for result in &mut results {
            result.is_automated = false;
        }
        results.retain(|r| options.filters.keep(r));
        results.truncate(limit);
        Ok(results)
    }

    /// Every repository of a registry (`/v2/_catalog`, following `Link` pages), at most
    /// `MAX_LIST_ENTRIES` of them.
    pub async fn catalog(&self, registry: &str) -> Result<Vec<String>> {
        let mut repositories = Vec::new();
        self.catalog_pages(registry, |page| {
            keep_bounded(&mut repositories, page, || {
                format!("the catalog of {registry}")
            })
        })
        .await?;
        Ok(repositories)
    }

    /// Hands each page of the catalog to `take` as it arrives, until it says [`Flow::Done`].
    async fn catalog_pages(
        &self,
        registry: &str,
        take: impl FnMut(Vec<String>) -> Result<Flow>,
    ) -> Result<()> {
        #[derive(serde::Deserialize)]
        struct Catalog {
            #[serde(default)]
            repositories: Option<Vec<String>>,
        }
        let endpoint = self.endpoint(registry).await?;
        let session = self.session(endpoint, vec!["registry:catalog:*".to_owned()]);
        let mut first = session.url("v2/_catalog")?;
        first
            .query_pairs_mut()
            .append_pair("n", &PAGE_SIZE.to_string());
        let what = format!("the catalog of {registry}");
        paginate(
            &session,
            first,
            &what,
            |body, url| {
                serde_json::from_slice::<Catalog>(body)
                    .map(|c| c.repositories.unwrap_or_default())
                    .map_err(|source| Error::BadResponse {
                        url: url.to_owned(),
                        source,
                    })
            },
            take,
        )
        .await
    }

    /// Every tag of `repository` (`/v2/<name>/tags/list`, following `Link` pages).
    pub async fn list_tags(&self, repository: &Reference) -> Result<Vec<String>> {
        #[derive(serde::Deserialize)]
        struct Tags {
            #[serde(default)]
            tags: Option<Vec<String>>,
        }
        let path = repository.path().to_owned();
        let endpoint = self.endpoint(repository.domain()).await?;
        let session = self.session(endpoint, vec![format!("repository:{path}:pull")]);
        let mut first = session.url(&format!("v2/{path}/tags/list"))?;
        first
            .query_pairs_mut()
            .append_pair("n", &PAGE_SIZE.to_string());
        let what = format!("the tag list of {}", repository.familiar_name());
        let mut tags = Vec::new();
        paginate(
            &session,
            first,
            &what,
            |body, url| {
                serde_json::from_slice::<Tags>(body)
                    .map(|t| t.tags.unwrap_or_default())
                    .map_err(|source| Error::BadResponse {
                        url: url.to_owned(),
                        source,
                    })
            },
            |page| {
                let valid = page
                    .into_iter()
                    .filter(|tag| berth_reference::validate_tag(tag).is_ok())
                    .collect();
                keep_bounded(&mut tags, valid, || what.clone())
            },
        )
        .await?;
        Ok(tags)
    }
}

/// Whether [`paginate`] fetches the next page.
enum Flow {
    More,
    Done,
}

/// Appends `page` to `out`, failing past [`MAX_LIST_ENTRIES`].
fn keep_bounded(
    out: &mut Vec<String>,
    page: Vec<String>,
    what: impl Fn() -> String,
) -> Result<Flow> {
    if out.len() + page.len() > MAX_LIST_ENTRIES {
        return Err(Error::ListTooLarge {
            what: what(),
            limit: format!("{MAX_LIST_ENTRIES} names"),
        });
    }
    out.extend(page);
    Ok(Flow::More)
}

/// GETs `first` and every `Link: <…>; rel="next"` page after it on the same origin, handing each
/// parsed page to `take` (nothing is kept here), at most [`MAX_PAGES`] pages and
/// [`MAX_LIST_TOTAL_BYTES`] in all (past that, an error naming `what`).
async fn paginate(
    session: &Session<'_>,
    first: url::Url,
    what: &str,
    parse: impl Fn(&[u8], &str) -> Result<Vec<String>>,
    mut take: impl FnMut(Vec<String>) -> Result<Flow>,
) -> Result<()> {
    let mut next = Some(first);
    let mut pages = 0;
    let mut total: u64 = 0;
    while let Some(url) = next.take() {
        pages += 1;
        if pages > MAX_PAGES {
            return Err(Error::ListTooLarge {
                what: what.to_owned(),
                limit: format!("{MAX_PAGES} pages"),
            });
        }
        let response = session.get(url.clone(), Some("application/json")).await?;
        if response.status() != StatusCode::OK {
            return Err(status_error(response).await);
        }
        next = response
            .headers()
            .get(header::LINK)
            .and_then(|v| v.to_str().ok())
            .and_then(next_link)
            .and_then(|link| url.join(&link).ok())
            .filter(|link| session.same_origin(link));
        let shown = redact_url(&url);
        let body = read_capped(response, MAX_LIST_BYTES, "list").await?;
        total += body.len() as u64;
        if total > MAX_LIST_TOTAL_BYTES {
            return Err(Error::ListTooLarge {
                what: what.to_owned(),
                limit: format!("{} MiB", MAX_LIST_TOTAL_BYTES / (1024 * 1024)),
            });
        }
        let page = parse(&body, &shown)?;
        drop(body);
        if page.is_empty() {
            break;
        }
        if let Flow::Done = take(page)? {
            break;
        }
    }
    Ok(())
}

/// The target of `rel="next"` in a `Link` header.
fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        params
            .split(';')
            .any(|p| {
                let p = p.trim().replace(' ', "");
                p == "rel=\"next\"" || p == "rel=next"
            })
            .then(|| target.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_terms() {
        for (term, registry, query) in [
            ("nginx", "docker.io", "nginx"),
            ("user/app", "docker.io", "user/app"),
            ("localhost/x", "localhost", "x"),
            ("127.0.0.1:5000/foo", "127.0.0.1:5000", "foo"),
            ("reg.example.com/a/b", "reg.example.com", "a/b"),
        ] {
            assert_eq!(
                split_search_term(term),
                (registry.into(), query.into()),
                "{term}"
            );
        }
    }

    #[test]
    fn links() {
        assert_eq!(
            next_link(r#"</v2/_catalog?last=b&n=2>; rel="next""#).as_deref(),
            Some("/v2/_catalog?last=b&n=2")
        );
        assert_eq!(next_link(r#"<http://x/y>; rel="prev""#), None);
        assert_eq!(next_link("garbage"), None);
    }

    #[test]
    fn filters() {
        let f = SearchFilters::parse(&["stars=3", "stars=10", "is-official=true"]).unwrap();
        assert_eq!(f.stars, Some(10));
        assert_eq!(f.is_official, Some(true));
        assert!(SearchFilters::parse(&["color=red"]).is_err());
        assert!(SearchFilters::parse(&["stars=x"]).is_err());
        let hit = SearchResult {
            name: "n".into(),
            description: String::new(),
            star_count: 12,
            is_official: true,
            is_automated: false,
        };
        assert!(f.keep(&hit));
        assert!(!SearchFilters::parse(&["is-automated=true"])
            .unwrap()
            .keep(&hit));
    }
}
