"""LipFD (Liu et al., "Lips Are Lying: Spotting the Temporal Inconsistency between Audio and Visual in Lip-Syncing
DeepFakes", NeurIPS 2024; AaronComo/LipFD) for inference, with the module names of the official checkpoint so its
"model" state dict loads: conv1.* (the 1120 -> 224 stem), encoder.visual.* (OpenAI CLIP's ViT image encoder; the
checkpoint's CLIP text-tower keys are ignored), backbone.* (the region-awareness ResNet-50 with get_weight and fc).

Inputs: the global composite image [N, 3, 1120, 1120] and the region crops [N, 3 scales, 5 frames, 3, 224, 224], both
raw BGR 0..255 as the reference's loader passes them (its CLIP normalisation result is overwritten and never used).
Output: the fake logit; the export adds the sigmoid the reference's validate.py applies.

Sizes are parameters: the official configuration is CLIP ViT-L/14 (width 1024, 24 layers, 16 heads, patch 14,
output 768) and ResNet-50 ([3, 4, 6, 3]); tests use a small configuration of the same architecture.
"""
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F


class LayerNorm(nn.LayerNorm):
    """CLIP's LayerNorm (computes in fp32)."""

    def forward(self, x):
        return super().forward(x.float()).type(x.dtype)


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, d_model, n_head):
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, n_head)
        self.ln_1 = LayerNorm(d_model)
        self.mlp = nn.Sequential(OrderedDict([("c_fc", nn.Linear(d_model, d_model * 4)), ("gelu", QuickGELU()),
                                              ("c_proj", nn.Linear(d_model * 4, d_model))]))
        self.ln_2 = LayerNorm(d_model)

    def forward(self, x):
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width, layers, heads):
        super().__init__()
        self.resblocks = nn.Sequential(*[ResidualAttentionBlock(width, heads) for _ in range(layers)])

    def forward(self, x):
        return self.resblocks(x)


class VisionTransformer(nn.Module):
    """OpenAI CLIP's image encoder (model.py, VisionTransformer), same parameter names."""

    def __init__(self, input_resolution, patch_size, width, layers, heads, output_dim):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch_size, stride=patch_size, bias=False)
        scale = width ** -0.5
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn((input_resolution // patch_size) ** 2 + 1, width))
        self.ln_pre = LayerNorm(width)
        self.transformer = Transformer(width, layers, heads)
        self.ln_post = LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

    def forward(self, x):
        x = self.conv1(x)
        x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)
        cls = self.class_embedding.to(x.dtype) + torch.zeros(x.shape[0], 1, x.shape[-1], dtype=x.dtype)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding.to(x.dtype)
        x = self.ln_pre(x).permute(1, 0, 2)
        x = self.transformer(x).permute(1, 0, 2)
        return self.ln_post(x[:, 0, :]) @ self.proj


class ClipImageEncoder(nn.Module):
    """Holds .visual so the keys read encoder.visual.* as in the checkpoint."""

    def __init__(self, **vit):
        super().__init__()
        self.visual = VisionTransformer(**vit)

    def encode_image(self, x):
        return self.visual(x)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


class RegionAwareResNet(nn.Module):
    """region_awareness.py's ResNet: per frame, each of the 3 crop scales through ResNet-50, concatenated with the
    global CLIP feature, weighted by get_weight (sigmoid, then softmax over the scales); mean over the 5 frames; fc."""

    def __init__(self, layers=(3, 4, 6, 3), feature_dim=768):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(64, layers[0])
        self.layer2 = self._make_layer(128, layers[1], stride=2)
        self.layer3 = self._make_layer(256, layers[2], stride=2)
        self.layer4 = self._make_layer(512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.get_weight = nn.Sequential(nn.Linear(512 * 4 + feature_dim, 1), nn.Sigmoid())
        self.fc = nn.Linear(512 * 4 + feature_dim, 1)

    def _make_layer(self, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * 4:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes * 4, 1, stride=stride, bias=False),
                                       nn.BatchNorm2d(planes * 4))
        layers = [Bottleneck(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * 4
        layers += [Bottleneck(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def embed(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return torch.flatten(self.avgpool(x), 1)

    def forward(self, crops, feature):
        # crops: [N, 3 scales, 5 frames, 3, 224, 224]
        parts = []
        for i in range(crops.shape[2]):
            features = []
            weights = []
            for j in range(crops.shape[1]):
                f = torch.cat([self.embed(crops[:, j, i]), feature], dim=1)
                features.append(f)
                weights.append(self.get_weight(f))
            features_stack = torch.stack(features, dim=2)
            weights_stack = F.softmax(torch.stack(weights, dim=2), dim=2)
            parts.append(features_stack.mul(weights_stack).sum(2).div(weights_stack.sum(2)))
        out = torch.stack(parts, dim=0)
        return self.fc(out.sum(0).div(out.shape[0]))


class LipFD(nn.Module):
    OFFICIAL = dict(vit=dict(input_resolution=224, patch_size=14, width=1024, layers=24, heads=16, output_dim=768),
                    resnet=(3, 4, 6, 3))
    TEST = dict(vit=dict(input_resolution=224, patch_size=32, width=64, layers=2, heads=2, output_dim=32),
                resnet=(1, 1, 1, 1))

    def __init__(self, config):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 3, kernel_size=5, stride=5)
        self.encoder = ClipImageEncoder(**config["vit"])
        self.backbone = RegionAwareResNet(config["resnet"], config["vit"]["output_dim"])

    def forward(self, global_image, crops):
        feature = self.encoder.encode_image(self.conv1(global_image))
        return torch.sigmoid(self.backbone(crops, feature)).reshape(-1)


def load_official(model, checkpoint):
    """Loads the official checkpoint's "model" state dict: every parameter this module has must be present with the
    same shape; the CLIP text tower's keys are the only ones left over."""
    state = checkpoint["model"] if "model" in checkpoint else checkpoint
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    if missing:
        raise KeyError("checkpoint lacks %d parameters, e.g. %s" % (len(missing), missing[:5]))
    leftovers = [k for k in state if k not in own and not k.startswith("encoder.") or k.startswith("encoder.visual.")
                 and k not in own]
    if leftovers:
        raise KeyError("checkpoint has parameters this model does not, e.g. %s" % leftovers[:5])
    model.load_state_dict({k: state[k] for k in own})
