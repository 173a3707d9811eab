# Praat's pitch track with the range fitted to the speaker (two passes, as
# De Looze and Hirst propose): a first pass at 60-700 Hz, then floor 0.75 x
# the 15th percentile and ceiling 2 x the 65th (Hirst's 2011 factors).
#   praat --run pitch-two-pass.praat FILE
form Pitch track
    sentence File
endform
sound = Read from file: file$
first = To Pitch (ac): 0.01, 60, 15, "no", 0.03, 0.45, 0.01, 0.35, 0.14, 700
q15 = Get quantile: 0, 0, 0.15, "Hertz"
q65 = Get quantile: 0, 0, 0.65, "Hertz"
selectObject: sound
pitch = To Pitch (ac): 0.01, q15 * 0.75, 15, "no", 0.03, 0.45, 0.01, 0.35, 0.14, q65 * 2
n = Get number of frames
for i to n
    t = Get time from frame number: i
    f = Get value in frame: i, "Hertz"
    if f = undefined
        f = 0
    endif
    appendInfoLine: fixed$(t, 4), " ", fixed$(f, 2)
endfor
