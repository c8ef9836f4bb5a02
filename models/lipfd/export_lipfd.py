#!/usr/bin/python3
"""Exports LipFD to ONNX plus a lipsync-guard manifest (with the ONNX file's sha256).

  /usr/bin/python3 models/lipfd/export_lipfd.py --checkpoint ckpt.pth --out DIR          # official weights, ViT-L/14
  /usr/bin/python3 models/lipfd/export_lipfd.py --random-init --config test --out DIR    # small, random, for tests

--checkpoint takes the official LipFD checkpoint (a dict whose "model" entry is LipFD.state_dict(), fetched by the
user; nothing is downloaded here). --write-checkpoint saves the random model in that same form, so the loading path
can be tested without the official file. --test-vectors writes seeded inputs and torch's output as float32 files.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from export_common import export_parser, sha256_of, write_f32, write_manifest  # noqa: E402

from lipfd_model import LipFD, load_official


def manifest(model_id, version, sha256, source, config_name):
    return {
        "id": model_id,
        "version": version,
        "family": "lipfd",
        "description": "LipFD (NeurIPS 2024, AaronComo/LipFD), configuration '%s'; weights: %s. Input 1: the "
                       "1000x2500 composite (viridis mel strip over five 500x500 frames) resized to 1120x1120; input "
                       "2: the five frame crops at scales 1.0/0.65/0.45 resized to 224. Both raw BGR 0..255 as the "
                       "reference loader feeds them (its CLIP normalisation is computed and discarded). Output: "
                       "sigmoid of the fake logit." % (config_name, source),
        "file": "lipfd.onnx",
        "sha256": sha256,
        "preprocessing": {
            # 5-frame windows every 5 frames; 2 frames (1764 samples) of audio on each side cover the 1024-sample
            # half-window of the STFT columns at the window's edges
            "fps": 25, "sampleRate": 22050, "windowFrames": 5, "strideFrames": 5, "offsetMarginFrames": 2,
            "crop": {"kind": "lipfd-multiscale", "width": 224, "height": 224, "channels": 3,
                     "scales": [1.0, 0.65, 0.45], "normalization": "raw255"},
            "audio": {"kind": "mel-image", "nMels": 128, "nFft": 2048, "winLength": 2048, "hopLength": 512,
                      "fMin": 0, "fMax": 11025, "melFramesPerVideoFrame": 1, "log": "db"},
        },
        "inputs": [
            {"name": "composite", "shape": [-1, 3, 1120, 1120], "dtype": "float32", "feeds": "composite_image"},
            {"name": "crops", "shape": [-1, 3, 5, 3, 224, 224], "dtype": "float32", "feeds": "multiscale_crops"},
        ],
        "outputs": [
            {"name": "fake_prob", "shape": [-1], "dtype": "float32", "meaning": "fake_probability"},
        ],
        "thresholds": {"decision": 0.5, "uncertainBand": 0.1, "minEvidenceWindows": 3, "minFaceFraction": 0.8,
                       "minSpeechFraction": 0.3},
        "calibration": {},
        "calibrationNotes": "threshold 0.5 as the reference's validate.py; not recalibrated here",
    }


def main():
    p = export_parser("--checkpoint", "lipfd", "1.0.0")
    p.add_argument("--config", choices=["official", "test"], default="official")
    p.add_argument("--write-checkpoint")
    a = p.parse_args()

    torch.manual_seed(a.seed)
    model = LipFD(LipFD.OFFICIAL if a.config == "official" else LipFD.TEST)
    if a.checkpoint:
        load_official(model, torch.load(a.checkpoint, map_location="cpu"))
        source = "checkpoint " + os.path.basename(a.checkpoint)
    else:
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 2.0)
        source = "random initialisation, seed %d (NOT trained: for tests only)" % a.seed
    model.eval()
    if a.write_checkpoint:
        state = dict(model.state_dict())
        state["encoder.token_embedding.weight"] = torch.zeros(4, 4)  # a text-tower key, as the official file has
        torch.save({"model": state}, a.write_checkpoint)

    os.makedirs(a.out, exist_ok=True)
    onnx_path = os.path.join(a.out, "lipfd.onnx")
    with torch.no_grad():
        torch.onnx.export(model, (torch.zeros(1, 3, 1120, 1120), torch.zeros(1, 3, 5, 3, 224, 224)), onnx_path,
                          input_names=["composite", "crops"], output_names=["fake_prob"],
                          dynamic_axes={"composite": {0: "n"}, "crops": {0: "n"}, "fake_prob": {0: "n"}},
                          opset_version=14)
    sha = sha256_of(onnx_path)
    write_manifest(a.out, manifest(a.id, a.version, sha, source, a.config))
    if a.test_vectors:
        os.makedirs(a.test_vectors, exist_ok=True)
        g = torch.Generator().manual_seed(a.seed + 1000)
        composite = torch.randint(0, 256, (2, 3, 1120, 1120), generator=g).float()
        crops = torch.randint(0, 256, (2, 3, 5, 3, 224, 224), generator=g).float()
        with torch.no_grad():
            prob = model(composite, crops)
        write_f32(os.path.join(a.test_vectors, "composite.bin"), composite.numpy())  # [2, 3, 1120, 1120]
        write_f32(os.path.join(a.test_vectors, "crops.bin"), crops.numpy())
        write_f32(os.path.join(a.test_vectors, "fake_prob.bin"), prob.numpy())


if __name__ == "__main__":
    main()
