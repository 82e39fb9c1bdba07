# The device side of a model bundle, in Python: reads manifest.json, resolves the expert keys a device
# holds, and hands back each expert shard's bytes after checking its sha256 (like src/model/bundle.ts and
# verify.ts). Errors are AgentError with the Node agent's codes (bundle-missing, bundle-sha256, …).
# Standard library only. Used by experts_torch.py and experts_onnxruntime.py.
from __future__ import annotations

import hashlib
import json
import os
import re
from typing import Dict, List, Sequence, Union

from .errors import EXIT_BAD_INPUT, AgentError

BUNDLE_HINT = "re-export the bundle (scripts/export_bundle.py) or restore it from git: git checkout -- models/"
EXPERT_KEY = re.compile(r"^\d+\.\d+$")


def bundle_error(code: str, file: str, detail: str, hint: str = BUNDLE_HINT) -> AgentError:
    return AgentError(code, "model file %s: %s" % (file, detail), exit_code=EXIT_BAD_INPUT, hint=hint)


class Bundle:
    """A loaded manifest: the model's architecture and its files by role."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        file = os.path.join(directory, "manifest.json")
        try:
            with open(file, "rb") as handle:
                raw = handle.read()
        except OSError:
            raise bundle_error("bundle-missing", file, "cannot be read (no model bundle here?)")
        try:
            manifest = json.loads(raw.decode("utf-8"))
            self.architecture: Dict[str, object] = manifest["architecture"]
            self.by_role: Dict[str, Dict[str, object]] = {entry["role"]: entry for entry in manifest["files"]}
            self.num_layers = int(self.architecture["numLayers"])  # type: ignore[arg-type]
            self.num_experts = int(self.architecture["numExperts"])  # type: ignore[arg-type]
            self.hidden_size = int(self.architecture["hiddenSize"])  # type: ignore[arg-type]
        except (ValueError, KeyError, TypeError) as error:
            raise bundle_error("bundle-invalid", file, "is not a wdmoe manifest (%s)" % error, hint="check manifest.json against docs/model.md")
        self.manifest_file = file

    def expert_keys(self, wanted: Union[Sequence[str], str]) -> List[str]:
        """Every expert (layer-major) for 'all', else the given keys."""
        if wanted == "all":
            return ["%d.%d" % (layer, expert) for layer in range(self.num_layers) for expert in range(self.num_experts)]
        return list(wanted)

    def read_verified(self, role: str) -> "tuple[str, bytes]":
        """The path and bytes of a role's file, after its sha256 matched the manifest."""
        entry = self.by_role.get(role)
        if entry is None:
            raise bundle_error("bundle-invalid", self.manifest_file, "lists no file for role %s" % role, hint="check manifest.json against docs/model.md")
        path = os.path.join(self.directory, str(entry["path"]))
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            raise bundle_error("bundle-missing", path, "is missing or unreadable")
        actual = hashlib.sha256(data).hexdigest()
        if actual != entry["sha256"]:
            raise AgentError("bundle-sha256", "model file %s: sha256 is %s, manifest says %s" % (path, actual, entry["sha256"]), exit_code=EXIT_BAD_INPUT, hint=BUNDLE_HINT)
        return path, data
