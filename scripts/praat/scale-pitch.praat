# Resynthesizes a recording with its pitch movement scaled around its median
# (PSOLA: Manipulation, overlap-add). Factor 0 flattens the voice to its
# median, 1 keeps it, 1.6 makes every excursion 1.6 times as wide in
# semitones. Prints Praat's pitch SD (semitones) of the result.
#   praat --run scale-pitch.praat IN.wav OUT.wav FACTOR
form Scale pitch
    sentence In
    sentence Out
    real Factor 1
endform
sound = Read from file: in$
rate = Get sampling frequency
manipulation = To Manipulation: 0.01, 75, 600
tier = Extract pitch tier
n = Get number of points
if n > 0
    # The median of the tier's points.
    selectObject: sound
    pitch = To Pitch (ac): 0.01, 75, 15, "no", 0.03, 0.45, 0.01, 0.35, 0.14, 600
    median = Get quantile: 0, 0, 0.5, "Hertz"
    selectObject: tier
    Formula: "median * exp(factor * ln(self / median))"
    selectObject: manipulation
    plusObject: tier
    Replace pitch tier
endif
selectObject: manipulation
result = Get resynthesis (overlap-add)
Resample: rate, 50
Save as WAV file: out$
check = To Pitch (ac): 0.01, 75, 15, "no", 0.03, 0.45, 0.01, 0.35, 0.14, 600
sd = Get standard deviation: 0, 0, "semitones"
appendInfoLine: fixed$(sd, 3)
