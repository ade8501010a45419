"""The project's shared trainer: NTK-parameterised fully connected ensembles with hand-derived
backward passes and full-batch optimisers (SGD, momentum, Adam)."""

from .network import ACTIVATIONS, FCNetwork, init_params, mse_loss_and_grad
from .optimizers import Optimizer
from .train import train_full_batch

__all__ = ["ACTIVATIONS", "FCNetwork", "Optimizer", "init_params", "mse_loss_and_grad", "train_full_batch"]
