"""The process group of a ``torchrun`` launch, for data-parallel training (world 1 when run plainly).

:class:`Distributed` joins the group that ``torchrun --nproc_per_node=N`` sets up (gloo on CPU,
nccl on CUDA, one GPU per process chosen by ``LOCAL_RANK``) and holds what a data-parallel
trainer needs beside ``DistributedDataParallel``: averaging the gradients of a module DDP cannot
wrap (a critic whose gradient penalty needs a double backward), broadcasting rank 0's weights,
checking that the replicas stay equal, sharing rank 0's decision to stop, and a barrier. Used by
:class:`paint_gym_agents.backprop.BackpropTrainer`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn


@dataclass
class Distributed:
    """The process group of a ``torchrun`` launch (world 1 when run plainly)."""

    rank: int = 0
    world: int = 1
    active: bool = False
    device: torch.device = torch.device("cpu")

    @classmethod
    def from_env(cls, device: str = "cpu") -> Distributed:
        """Join the ``torchrun`` group if there is one: gloo on CPU, nccl on CUDA (one GPU per
        process, chosen by ``LOCAL_RANK``)."""
        world = int(os.environ.get("WORLD_SIZE", "1"))
        cuda = device.startswith("cuda")
        if cuda and not torch.cuda.is_available():
            raise ValueError("device 'cuda' asked for, but torch sees no GPU: use --device cpu")
        local = int(os.environ.get("LOCAL_RANK", "0"))
        dev = torch.device(f"cuda:{local}" if cuda and device == "cuda" else device)
        if world <= 1:
            return cls(device=dev)
        if not dist.is_initialized():
            dist.init_process_group("nccl" if cuda else "gloo")
        return cls(dist.get_rank(), dist.get_world_size(), True, dev)

    @property
    def main(self) -> bool:
        return self.rank == 0

    def average_gradients(self, module: nn.Module) -> None:
        if not self.active:
            return
        grads = [p.grad for p in module.parameters() if p.grad is not None]
        flat = torch.cat([g.flatten() for g in grads])
        dist.all_reduce(flat)
        flat /= self.world
        offset = 0
        for g in grads:
            g.copy_(flat[offset : offset + g.numel()].view_as(g))
            offset += g.numel()

    def broadcast(self, module: nn.Module) -> None:
        if self.active:
            for t in module.state_dict().values():
                dist.broadcast(t, 0)

    def check_replicas(self, module: nn.Module) -> None:
        """Raise if the ranks' copies of ``module`` have drifted apart (they must stay equal)."""
        if not self.active:
            return
        total = torch.stack([p.detach().double().sum() for p in module.parameters()]).sum().reshape(1)
        lo, hi = total.clone(), total.clone()
        dist.all_reduce(lo, op=dist.ReduceOp.MIN)
        dist.all_reduce(hi, op=dist.ReduceOp.MAX)
        if not torch.allclose(lo, hi, rtol=1e-9, atol=1e-9):
            raise RuntimeError(f"data-parallel replicas diverged: parameter sums range {lo.item()} .. {hi.item()}")

    def agree(self, flag: bool) -> bool:
        """Rank 0's decision, shared with every rank (to stop on a wall-clock budget together)."""
        if not self.active:
            return flag
        t = torch.tensor([1.0 if flag else 0.0], device=self.device)
        dist.broadcast(t, 0)
        return bool(t.item())

    def barrier(self) -> None:
        """Wait for every rank (e.g. until rank 0 has written its files)."""
        if self.active:
            dist.barrier()

    def close(self) -> None:
        """Leave the process group (the end of a ``torchrun`` run)."""
        if self.active and dist.is_initialized():
            dist.destroy_process_group()
        self.active = False


__all__ = ["Distributed"]
