//! Layer chain IDs: a layer named together with every layer below it.

use berth_digest::Digest;

/// image-spec: `ChainID(L0) = DiffID(L0)`, `ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln))`.
/// Two images share the chain ID of a layer only when they share the whole stack up to it; Docker
/// prints the chain IDs of the layers `rmi` frees, and berth names its layer snapshots by them.
pub fn chain_ids(diff_ids: &[Digest]) -> Vec<Digest> {
    let mut out: Vec<Digest> = Vec::with_capacity(diff_ids.len());
    for diff_id in diff_ids {
        let next = match out.last() {
            None => diff_id.clone(),
            Some(parent) => Digest::sha256(format!("{parent} {diff_id}").as_bytes()),
        };
        out.push(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_ids_follow_the_image_spec() {
        let a = Digest::sha256(b"a");
        let b = Digest::sha256(b"b");
        let ids = chain_ids(&[a.clone(), b.clone()]);
        assert_eq!(ids[0], a);
        assert_eq!(ids[1], Digest::sha256(format!("{a} {b}").as_bytes()));
        assert!(chain_ids(&[]).is_empty());
    }

    /// Docker 20.10 printed this chain ID when `rmi` freed the fixture's second layer.
    #[test]
    fn matches_the_chain_id_docker_printed() {
        let diff_ids = [
            "sha256:8259289a5efb6e7461d0539ddb964fcc74da080e946d77b5b73613c21ecf0e0d",
            "sha256:b83be8e9bd820dc5ae35d60191401e095f3f02fbc5cdb0019deede2e6b120291",
        ]
        .map(|d| Digest::parse(d).unwrap());
        let ids = chain_ids(&diff_ids);
        assert_eq!(
            ids[1].to_string(),
            "sha256:b9f8eaf38ab48a734990f209b4d751b97f18c0388ac75abbaf15f8334b4c010a"
        );
    }
}
