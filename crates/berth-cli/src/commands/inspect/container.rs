//! `inspect` of a container: Docker 20.10's `types.ContainerJSON` with the fields berth knows, in
//! Docker's order (`Id Created Path Args State Image Name RestartCount Platform Config`). Those it
//! has no counterpart for (`HostConfig`, `GraphDriver`, `NetworkSettings`, the `*Path` files) are
//! left out rather than made up.

use berth_container::{Container, Containers};
use berth_format::template::{GoField, GoStruct, GoValue};
use serde_json::Value;

/// The container as Go values: what templates run over, and (encoded) the JSON `inspect` prints.
pub fn container_inspect(
    containers: &Containers<'_>,
    container: &Container,
) -> anyhow::Result<GoValue> {
    let record = &container.record;
    let state = &container.state;
    // Docker's rule: the process is the entrypoint followed by the command.
    let process: Vec<String> = record
        .config
        .entrypoint
        .iter()
        .chain(&record.config.cmd)
        .cloned()
        .collect();
    let (path, args) = process
        .split_first()
        .map_or((String::new(), &[][..]), |(path, args)| {
            (path.clone(), args)
        });
    let running = state.status.is_running();
    let pid = if running {
        containers
            .runtime(container)?
            .state(container.id())?
            .map_or(0, |runtime| runtime.pid)
    } else {
        0
    };
    let time = |t: &Option<String>| {
        GoValue::string(
            t.clone()
                .unwrap_or_else(|| berth_manifest::timefmt::GO_ZERO_TIME.to_owned()),
        )
    };
    let field = GoField::new;
    let container_state = GoStruct::new("types.ContainerState")
        .field(field("Status", GoValue::string(state.status.as_str())))
        .field(field("Running", GoValue::Bool(running)))
        .field(field("Paused", GoValue::Bool(state.status.is_paused())))
        .field(field("Restarting", GoValue::Bool(false)))
        .field(field("OOMKilled", GoValue::Bool(false)))
        .field(field("Dead", GoValue::Bool(false)))
        .field(field("Pid", GoValue::int(i64::from(pid))))
        .field(field(
            "ExitCode",
            GoValue::int(i64::from(state.exit_code.unwrap_or_default())),
        ))
        .field(field(
            "Error",
            GoValue::string(state.error.clone().unwrap_or_default()),
        ))
        .field(field("StartedAt", time(&state.started_at)))
        .field(field("FinishedAt", time(&state.finished_at)));
    Ok(GoStruct::new("types.ContainerJSON")
        .field(field("ID", GoValue::string(container.id())).json("Id"))
        .field(field("Created", GoValue::string(&record.created)))
        .field(field("Path", GoValue::string(path)))
        .field(field("Args", GoValue::strings(Some(args))))
        .field(field("State", container_state.into()))
        .field(field("Image", GoValue::string(record.image_id.to_string())))
        .field(field(
            "Name",
            GoValue::string(format!("/{}", container.name())),
        ))
        .field(field("RestartCount", GoValue::int(0)))
        .field(field("Platform", GoValue::string("linux")))
        .field(field(
            "Config",
            super::typed::container_config(&config(container)?).into(),
        ))
        .into())
}

/// The container's `container.Config` as the API's JSON: the image config with the run's changes,
/// and what berth keeps beside it (host name, terminal, stdin, the image as the user named it).
fn config(container: &Container) -> anyhow::Result<Value> {
    let record = &container.record;
    let mut config = serde_json::to_value(&record.config)?;
    let object = config
        .as_object_mut()
        .ok_or_else(|| anyhow::anyhow!("the container's config is not an object"))?;
    let hostname = if record.host.hostname.is_empty() {
        container.short_id().to_owned()
    } else {
        record.host.hostname.clone()
    };
    object.insert("Hostname".into(), Value::String(hostname));
    object.insert("Tty".into(), Value::Bool(record.host.tty));
    object.insert("OpenStdin".into(), Value::Bool(record.host.open_stdin));
    object.insert("Image".into(), Value::String(record.image.clone()));
    // `Labels` is never nil in a container's config: the daemon starts from an empty map.
    object
        .entry("Labels")
        .or_insert_with(|| Value::Object(serde_json::Map::new()));
    Ok(config)
}
