import ArcaIR
