//! What `inspect -f` templates run over: Docker 20.10's `types.ImageInspect`, as Go values.
//!
//! The Docker CLI executes an inspect template twice at most (`cli/command/inspect/inspector.go`):
//! first over the typed response, where every field has its Go type, so an empty one prints its
//! zero value (`{{.Author}}` and `{{.Parent}}` print nothing, `{{.Config.Env}}` prints `[]`,
//! `{{.Config.Healthcheck}}` `<nil>`, `{{json .Config}}` lists every `container.Config` field in
//! order); if that fails (an unknown field, or `{{.Id}}`: the Go field is `ID`), over the response's
//! raw JSON decoded into maps, with `missingkey=error`. Templates and the plain output see the 20.10
//! types (the oracle berth is tested against); the one field berth cannot fill, `GraphDriver`, is
//! Docker's type left empty (`{"Data":null,"Name":""}`). The raw JSON of the second try, and the
//! plain output, are the typed value's own encoding, as the 20.10 daemon sends it.

use std::collections::BTreeMap;

use berth_format::template::{GoField, GoStruct, GoTime, GoValue};
use berth_manifest::InspectView;
use serde_json::Value;
use time::OffsetDateTime;

/// `types.ImageInspect` of one image. `config` is the image's config document as stored.
pub fn image_inspect(
    view: &InspectView,
    config: &Value,
    last_tag_time: Option<OffsetDateTime>,
) -> GoValue {
    let body = &view.body;
    let text = |key: &str| config.get(key).and_then(Value::as_str).unwrap_or_default();
    let created = if body.created.is_empty() {
        berth_manifest::timefmt::GO_ZERO_TIME.to_owned()
    } else {
        body.created.clone()
    };
    let size = i64::try_from(body.size).unwrap_or(i64::MAX);
    let root_fs = GoStruct::new("types.RootFS")
        .field(GoField::new("Type", GoValue::string(&body.root_fs.kind)))
        .field(
            GoField::new(
                "Layers",
                GoValue::strings(Some(body.root_fs.layers.as_slice()).filter(|l| !l.is_empty())),
            )
            .omitempty(),
        )
        .field(GoField::new("BaseLayer", GoValue::string("")).omitempty());
    let metadata = GoStruct::new("types.ImageMetadata")
        .field(GoField::new("LastTagTime", go_time(last_tag_time)).omitempty());
    GoStruct::new("types.ImageInspect")
        .field(GoField::new("ID", GoValue::string(&body.id)).json("Id"))
        .field(GoField::new(
            "RepoTags",
            GoValue::strings(Some(body.repo_tags.as_slice())),
        ))
        .field(GoField::new(
            "RepoDigests",
            GoValue::strings(Some(body.repo_digests.as_slice())),
        ))
        .field(GoField::new("Parent", GoValue::string(&view.parent)))
        .field(GoField::new("Comment", GoValue::string(&body.comment)))
        .field(GoField::new("Created", GoValue::string(created)))
        .field(GoField::new(
            "Container",
            GoValue::string(text("container")),
        ))
        // `&img.ContainerConfig`: never nil.
        .field(GoField::new(
            "ContainerConfig",
            container_config(config.get("container_config").unwrap_or(&Value::Null))
                .pointer()
                .into(),
        ))
        .field(GoField::new(
            "DockerVersion",
            GoValue::string(&view.docker_version),
        ))
        .field(GoField::new("Author", GoValue::string(&body.author)))
        .field(GoField::new(
            "Config",
            match config.get("config") {
                Some(c @ Value::Object(_)) => container_config(c).pointer().into(),
                _ => GoValue::NilPointer,
            },
        ))
        .field(GoField::new(
            "Architecture",
            GoValue::string(&body.architecture),
        ))
        .field(GoField::new("Variant", GoValue::string(&body.variant)).omitempty())
        .field(GoField::new("Os", GoValue::string(&body.os)))
        .field(GoField::new("OsVersion", GoValue::string(&body.os_version)).omitempty())
        .field(GoField::new("Size", GoValue::int64(size)))
        .field(GoField::new("VirtualSize", GoValue::int64(size)))
        // berth stores layers, not a graph driver's directories: Docker's type, empty.
        .field(GoField::new(
            "GraphDriver",
            GoStruct::new("types.GraphDriverData")
                .field(GoField::new(
                    "Data",
                    GoValue::map(None, GoValue::string("")),
                ))
                .field(GoField::new("Name", GoValue::string("")))
                .into(),
        ))
        .field(GoField::new("RootFS", root_fs.into()))
        .field(GoField::new("Metadata", metadata.into()))
        .into()
}

/// The second try's data: the typed value's JSON, decoded into maps (numbers become `float64`).
pub fn raw(typed: &GoValue) -> GoValue {
    let json: Value = serde_json::from_str(&typed.to_json()).unwrap_or(Value::Null);
    GoValue::decoded_json(&json)
}

/// `container.Config` (Docker 20.10) decoded from a config's `config` or `container_config`
/// object the way Go's `json.Unmarshal` fills it: absent or `null` slices, maps and pointers stay
/// nil, an empty array is an empty slice, a string `Cmd` is a one-element slice (`StrSlice`).
pub(super) fn container_config(json: &Value) -> GoStruct {
    let get = |key: &str| json.get(key).unwrap_or(&Value::Null);
    let string = |key: &str| GoValue::string(get(key).as_str().unwrap_or_default());
    let boolean = |key: &str| GoValue::Bool(get(key).as_bool().unwrap_or_default());
    let field = |key: &str, value: GoValue| GoField::new(key, value);
    GoStruct::new("container.Config")
        .field(field("Hostname", string("Hostname")))
        .field(field("Domainname", string("Domainname")))
        .field(field("User", string("User")))
        .field(field("AttachStdin", boolean("AttachStdin")))
        .field(field("AttachStdout", boolean("AttachStdout")))
        .field(field("AttachStderr", boolean("AttachStderr")))
        .field(field("ExposedPorts", set(get("ExposedPorts"))).omitempty())
        .field(field("Tty", boolean("Tty")))
        .field(field("OpenStdin", boolean("OpenStdin")))
        .field(field("StdinOnce", boolean("StdinOnce")))
        .field(field("Env", strings(get("Env"))))
        .field(field("Cmd", str_slice(get("Cmd"))))
        .field(field("Healthcheck", healthcheck(get("Healthcheck"))).omitempty())
        .field(field("ArgsEscaped", boolean("ArgsEscaped")).omitempty())
        .field(field("Image", string("Image")))
        .field(field("Volumes", set(get("Volumes"))))
        .field(field("WorkingDir", string("WorkingDir")))
        .field(field("Entrypoint", str_slice(get("Entrypoint"))))
        .field(field("NetworkDisabled", boolean("NetworkDisabled")).omitempty())
        .field(field("MacAddress", string("MacAddress")).omitempty())
        .field(field("OnBuild", strings(get("OnBuild"))))
        .field(field("Labels", labels(get("Labels"))))
        .field(field("StopSignal", string("StopSignal")).omitempty())
        .field(
            field(
                "StopTimeout",
                match get("StopTimeout") {
                    Value::Number(n) => GoValue::Number(n.clone()),
                    _ => GoValue::NilPointer,
                },
            )
            .omitempty(),
        )
        .field(field("Shell", str_slice(get("Shell"))).omitempty())
}

/// `*container.HealthConfig` (Docker 20.10: no `StartInterval` yet).
fn healthcheck(json: &Value) -> GoValue {
    if !json.is_object() {
        return GoValue::NilPointer;
    }
    let nanos = |key: &str| json.get(key).and_then(Value::as_i64).unwrap_or_default();
    GoStruct::new("container.HealthConfig")
        .field(GoField::new("Test", strings(json.get("Test").unwrap_or(&Value::Null))).omitempty())
        .field(GoField::new("Interval", GoValue::Duration(nanos("Interval"))).omitempty())
        .field(GoField::new("Timeout", GoValue::Duration(nanos("Timeout"))).omitempty())
        .field(GoField::new("StartPeriod", GoValue::Duration(nanos("StartPeriod"))).omitempty())
        .field(GoField::new("Retries", GoValue::int(nanos("Retries"))).omitempty())
        .pointer()
        .into()
}

/// A `[]string`.
fn strings(json: &Value) -> GoValue {
    match json {
        Value::Array(items) => GoValue::Slice(Some(
            items
                .iter()
                .map(|item| GoValue::string(item.as_str().unwrap_or_default()))
                .collect(),
        )),
        _ => GoValue::Slice(None),
    }
}

/// A `strslice.StrSlice`: an array, or a single string.
fn str_slice(json: &Value) -> GoValue {
    match json {
        Value::String(s) => GoValue::strings(Some(std::slice::from_ref(s))),
        other => strings(other),
    }
}

/// A `map[string]struct{}` (`nat.PortSet`, `Volumes`).
fn set(json: &Value) -> GoValue {
    let empty = || GoValue::from(GoStruct::new("struct {}"));
    let entries = json
        .as_object()
        .map(|map| map.keys().map(|key| (key.clone(), empty())).collect());
    GoValue::map(entries, empty())
}

/// A `map[string]string`: a missing key indexes to `""`.
fn labels(json: &Value) -> GoValue {
    let entries: Option<BTreeMap<String, GoValue>> = json.as_object().map(|map| {
        map.iter()
            .map(|(key, value)| {
                (
                    key.clone(),
                    GoValue::string(value.as_str().unwrap_or_default()),
                )
            })
            .collect()
    });
    GoValue::map(entries, GoValue::string(""))
}

/// A `time.Time` decoded from the API's JSON (UTC): `String()` prints
/// `2006-01-02 15:04:05.999999999 +0000 UTC`, `MarshalJSON` RFC 3339 with nanoseconds; templates
/// call its methods (`{{.Metadata.LastTagTime.Year}}`).
fn go_time(time: Option<OffsetDateTime>) -> GoValue {
    match time {
        Some(time) => GoValue::Time(Box::new(GoTime::utc(
            time.unix_timestamp(),
            time.nanosecond(),
        ))),
        None => GoValue::Time(Box::new(GoTime::zero())),
    }
}
