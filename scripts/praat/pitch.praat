# Prints Praat's pitch track of a sound, one frame a line: seconds and f0 in
# Hz (0 unvoiced). To Pitch (ac) with its standard settings, a 10 ms step.
#   praat --run pitch.praat FILE
form Pitch track
    sentence File
endform
sound = Read from file: file$
pitch = To Pitch (ac): 0.01, 75, 15, "no", 0.03, 0.45, 0.01, 0.35, 0.14, 600
n = Get number of frames
for i to n
    t = Get time from frame number: i
    f = Get value in frame: i, "Hertz"
    if f = undefined
        f = 0
    endif
    appendInfoLine: fixed$(t, 4), " ", fixed$(f, 2)
endfor
