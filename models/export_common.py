"""What every export script in models/ does the same way: take the same basic options, hash the ONNX file, write the
manifest beside it, write little-endian float32 test vectors for the Java parity tests."""
import argparse
import hashlib
import json
import os

import numpy as np


def export_parser(weights_option, default_id, default_version):
    """Options every export takes: trained weights (`weights_option`) or seeded random ones, where to write, the
    manifest's id and version, and an optional directory for parity test vectors."""
    p = argparse.ArgumentParser()
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument(weights_option)
    src.add_argument("--random-init", action="store_true")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True)
    p.add_argument("--id", default=default_id)
    p.add_argument("--version", default=default_version)
    p.add_argument("--test-vectors")
    return p


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_manifest(out_dir, manifest):
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


def write_f32(path, array):
    np.asarray(array, dtype="<f4").tofile(path)
