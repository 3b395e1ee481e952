; evenlight — the GIMP side of tests/hostile/run-gimp.sh (Script-Fu).
;
; Copyright (C) 2026 the evenlight developers
; SPDX-License-Identifier: GPL-3.0-or-later
;
; Needs tests/gimp/batch.scm (el-try, el-load, el-case, el-save ...).
; (el-hostile DIR) runs each hostile case on the images in DIR, exports
; what the shell script checks into DIR and writes one line per case to
; DIR/hostile.log: "NAME ok" or "NAME error MESSAGE".

(define (el-log-line log text)
  (display text log)
  (newline log))

; "NAME-clean ok" when IMG is not dirty, an error line otherwise.
(define (el-log-clean log name img)
  (el-log-line log (if (= (car (gimp-image-is-dirty img)) TRUE)
                       (string-append name "-clean error the image was modified")
                       (string-append name "-clean ok"))))

(define (el-hostile dir s h d)
  (define (f name) (string-append dir "/" name))
  (define log (open-output-file (f "hostile.log")))

  ; NaN, ±Inf, negative and above-1 values in a float layer. The layer as
  ; loaded is exported too, to show GIMP kept the hostile values.
  (let* ((img (el-load (f "nasty.tif")))
         (drw (el-drawable img)))
    (el-save img drw (f "gimp-nasty-raw.tif"))
    (el-case log "nasty"
      (lambda ()
        (plug-in-evenlight RUN-NONINTERACTIVE img drw s h d)
        (el-save img drw (f "gimp-nasty.tif"))))
    (gimp-image-delete img))

  ; A fully transparent layer.
  (el-case log "clear"
    (lambda () (el-apply (f "clear.png") (f "gimp-clear.png") s h d)))

  ; A 1 × 1 layer and a 1-pixel-high one.
  (el-case log "tiny"
    (lambda () (el-apply (f "tiny.png") (f "gimp-tiny.png") s h d)))
  (el-case log "row"
    (lambda () (el-apply (f "row.png") (f "gimp-row.png") s h d)))

  ; A layer partly off the canvas (offsets 250, 200 on 480 × 360) and a
  ; selection that covers only part of it: the selection, clipped to the
  ; canvas, meets the layer in layer pixels 0..229 × 0..99.
  (let* ((base (el-load (f "plain.png")))
         (img (car (gimp-image-new 480 360 RGB)))
         (bg (car (gimp-layer-new img 480 360 RGB-IMAGE "bg" 100 LAYER-MODE-NORMAL)))
         (layer (car (gimp-layer-new-from-drawable (el-drawable base) img))))
    (gimp-image-insert-layer img bg 0 0)
    (gimp-drawable-fill bg FILL-WHITE)
    (gimp-image-insert-layer img layer 0 -1)
    (gimp-layer-set-offsets layer 250 200)
    (el-case log "partial-selection"
      (lambda ()
        (gimp-image-select-rectangle img CHANNEL-OP-REPLACE 200 150 350 150)
        (plug-in-evenlight RUN-NONINTERACTIVE img layer s h d)
        (el-save img layer (f "gimp-partial.png"))))
    ; A selection that misses the layer: nothing to do, nothing changed.
    (gimp-image-clean-all img)
    (el-case log "outside-selection"
      (lambda ()
        (gimp-image-select-rectangle img CHANNEL-OP-REPLACE 0 0 100 100)
        (plug-in-evenlight RUN-NONINTERACTIVE img layer s h d)
        (el-save img layer (f "gimp-outside.png"))))
    (gimp-image-delete img)
    (gimp-image-delete base))

  ; A layer group, a channel and a layer mask as the drawable: refused,
  ; the image stays clean and its layer unchanged.
  (let* ((img (el-load (f "plain.png")))
         (layer (el-drawable img))
         (group (car (gimp-layer-group-new img)))
         (channel (car (gimp-channel-new img 300 200 "mask" 50 '(0 0 0))))
         (mask 0))
    (gimp-image-insert-layer img group 0 0)
    (gimp-image-insert-channel img channel 0 0)
    (set! mask (car (gimp-layer-create-mask layer ADD-MASK-WHITE)))
    (gimp-layer-add-mask layer mask)
    (gimp-image-clean-all img)
    (el-case log "group"
      (lambda () (plug-in-evenlight RUN-NONINTERACTIVE img group s h d)))
    (el-case log "channel"
      (lambda () (plug-in-evenlight RUN-NONINTERACTIVE img channel s h d)))
    (el-case log "mask"
      (lambda () (plug-in-evenlight RUN-NONINTERACTIVE img mask s h d)))
    (el-case log "bad-id"
      (lambda () (plug-in-evenlight RUN-NONINTERACTIVE img 999999 s h d)))
    (el-log-clean log "refused" img)
    (gimp-layer-remove-mask layer MASK-DISCARD)
    (el-save img layer (f "gimp-refused.png"))
    (gimp-image-delete img))

  (close-output-port log))

; With EVENLIGHT_WEIGHTS naming a damaged file: the call fails, the image
; stays clean (no undo step) and the layer keeps its pixels.
(define (el-hostile-weights dir s h d)
  (define (f name) (string-append dir "/" name))
  (define log (open-output-file (f "weights.log")))
  (let* ((img (el-load (f "plain.png")))
         (drw (el-drawable img)))
    (gimp-image-clean-all img)
    (el-case log "damaged-weights"
      (lambda () (plug-in-evenlight RUN-NONINTERACTIVE img drw s h d)))
    (el-log-clean log "damaged-weights" img)
    (el-save img drw (f "gimp-damaged.png"))
    (gimp-image-delete img))
  (close-output-port log))

; With the plug-in's test hook set (EVENLIGHT_TEST_FAIL_AFTER_TILES or
; EVENLIGHT_TEST_STALL_AFTER_TILES, see plugin/drawable-io.c), the apply
; stops after some tiles are already in the shadow buffer: by an error, or
; by the plug-in process being killed as GIMP's Cancel does. The image must
; stay clean (no undo step) and the layer keep its pixels; they are
; exported to DIR/gimp-NAME.png and the results logged to DIR/NAME.log.
(define (el-hostile-midway dir name s h d)
  (define (f file) (string-append dir "/" file))
  (define log (open-output-file (f (string-append name ".log"))))
  (let* ((img (el-load (f "midway.png")))
         (drw (el-drawable img)))
    (gimp-image-clean-all img)
    (el-case log "midway"
      (lambda () (plug-in-evenlight RUN-NONINTERACTIVE img drw s h d)))
    (el-log-clean log "midway" img)
    (el-save img drw (f (string-append "gimp-" name ".png")))
    (gimp-image-delete img))
  (close-output-port log))
