#!/usr/bin/env python3
"""PyTorch eager composites of the same math as the med42 CUDA kernels, timed with CUDA events
(p50 of 20), at the shapes of native/bench/bench_kernels.cu. Prints CSV: kernel,dtype,shape,p50_us.
RMSNorm: x.pow(2).mean(-1, keepdim) -> rsqrt -> * w (HF LlamaRMSNorm); RoPE: HF rotate_half;
dequant: unpack nibbles, subtract 8, multiply by the block scales."""
import sys
import torch

def p50(fn):
    for _ in range(3):
        fn()
    times = []
    for _ in range(20):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); b.synchronize()
        times.append(a.elapsed_time(b))
    return sorted(times)[len(times) // 2] * 1e3

def main():
    tokens = [int(t) for t in sys.argv[1:]] or [4096, 16384]
    C, F, H, D = 4096, 11008, 32, 128
    dev = "cuda"
    print("kernel,dtype,shape,p50_us")
    for T in tokens:
        for name, dt in (("fp32", torch.float32), ("fp16", torch.float16), ("bf16", torch.bfloat16)):
            x = torch.randn(T, C, device=dev, dtype=dt, requires_grad=True)
            w = torch.ones(C, device=dev, dtype=dt, requires_grad=True)
            def rms():
                xf = x.float()
                return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + 1e-5)).to(dt) * w
            with torch.no_grad():
                print(f"rms_norm_fwd,{name},{T}x{C},{p50(rms):.1f}")
            y = rms(); g = torch.randn_like(y)
            print(f"rms_norm_bwd,{name},{T}x{C},{p50(lambda: torch.autograd.grad(y, (x, w), g, retain_graph=True)):.1f}")
            q = torch.randn(T, H, D, device=dev, dtype=dt)
            cos = torch.randn(T, 1, D, device=dev, dtype=dt); sin = torch.randn(T, 1, D, device=dev, dtype=dt)
            def rope():
                x1, x2 = q[..., : D // 2], q[..., D // 2 :]
                return q * cos + torch.cat((-x2, x1), dim=-1) * sin
            print(f"rope_fwd_cache,{name},{T}x{H}x{D},{p50(rope):.1f}")
    for name, dt in (("fp32", torch.float32), ("fp16", torch.float16), ("bf16", torch.bfloat16)):
        packed = torch.randint(0, 256, (F, C // 32, 16), device=dev, dtype=torch.uint8)
        scales = torch.rand(F, C // 32, 1, device=dev, dtype=torch.float32)
        def dequant():
            lo = (packed & 0x0F).to(torch.int16); hi = (packed >> 4).to(torch.int16)
            q = torch.stack((lo, hi), dim=-1).reshape(F, C // 32, 32)
            return ((q - 8).float() * scales).reshape(F, C).to(dt)
        print(f"dequant_int4_b32,{name},{F}x{C},{p50(dequant):.1f}")

if __name__ == "__main__":
    main()
