"""What every export script in models/ does the same way: hash the ONNX file, write the manifest beside it, write
little-endian float32 test vectors for the Java parity tests."""
import hashlib
import json
import os

import numpy as np


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_manifest(out_dir, manifest):
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


def write_f32(path, array):
    np.asarray(array, dtype="<f4").tofile(path)
