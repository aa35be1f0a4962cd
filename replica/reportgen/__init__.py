"""Report-body generator shared by portal replicas: true numbers, tables, narrative, PDF."""
