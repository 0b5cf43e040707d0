import ArcaTensor
