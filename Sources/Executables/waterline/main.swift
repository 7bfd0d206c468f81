import WaterlineCLI

await runWaterline()
