"""The seed-001 detector family: audio-visual cross-attention, a temporal transformer and an artifact branch.

Video: T mouth crops (grey, 0..1) per window. Audio: log-mel frames of the window plus +-K frames of context (M mel
frames per video frame). Each video frame's token attends to the audio tokens (cross-attention, so it can find the
audio that belongs to it at any lag within the margin); a temporal transformer layer runs over the fused tokens; an
artifact branch looks at frame-to-frame differences of the mouth crops (blending and temporal flicker); a head gives
one desync/fake probability per window.

Attention is written with plain Linear/matmul/softmax so the ONNX export of Debian's torch 1.13 needs no special ops.
"""
import math

import torch
import torch.nn as nn


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.out = nn.Linear(d, d)

    def forward(self, x, context):
        n, tq, d = x.shape
        tk = context.shape[1]
        h = self.heads
        q = self.q(x).reshape(n, tq, h, d // h).transpose(1, 2)
        k = self.k(context).reshape(n, tk, h, d // h).transpose(1, 2)
        v = self.v(context).reshape(n, tk, h, d // h).transpose(1, 2)
        w = torch.softmax(q @ k.transpose(2, 3) / math.sqrt(d // h), dim=-1)
        return self.out((w @ v).transpose(1, 2).reshape(n, tq, d))


class Block(nn.Module):
    """Pre-norm attention + feed-forward; self-attention when context is None."""

    def __init__(self, d, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(d)
        self.attn = Attention(d, heads)
        self.norm2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))

    def forward(self, x, context=None):
        y = self.norm1(x)
        x = x + self.attn(y, y if context is None else context)
        return x + self.ff(self.norm2(x))


class AvTransformer(nn.Module):
    def __init__(self, frames=50, crop=32, margin=15, mel_per_frame=4, n_mels=40, d=32, heads=2, layers=1):
        super().__init__()
        self.frames, self.crop, self.margin = frames, crop, margin
        self.mel_per_frame, self.n_mels = mel_per_frame, n_mels
        self.visual = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, d))
        self.audio = nn.Sequential(nn.Linear(mel_per_frame * n_mels, d), nn.GELU(), nn.Linear(d, d))
        self.video_pos = nn.Parameter(torch.randn(1, frames, d) * 0.02)
        self.audio_pos = nn.Parameter(torch.randn(1, frames + 2 * margin, d) * 0.02)
        self.cross = Block(d, heads)
        self.temporal = nn.ModuleList([Block(d, heads) for _ in range(layers)])
        self.artifact = nn.Sequential(
            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Sequential(nn.LayerNorm(d + 16), nn.Linear(d + 16, 1))

    def forward(self, mouth, audio):
        n = mouth.shape[0]
        t, c = self.frames, self.crop
        v = self.visual(mouth.reshape(n * t, 1, c, c)).reshape(n, t, -1) + self.video_pos
        a = self.audio(audio.reshape(n, t + 2 * self.margin, self.mel_per_frame * self.n_mels)) + self.audio_pos
        x = self.cross(v, a)
        for block in self.temporal:
            x = block(x)
        diffs = (mouth[:, 1:] - mouth[:, :-1]).reshape(n * (t - 1), 1, c, c)
        art = self.artifact(diffs).reshape(n, t - 1, -1).mean(dim=1)
        logit = self.head(torch.cat([x.mean(dim=1), art], dim=1))
        return torch.sigmoid(logit).reshape(n)
