from retclip.eval.prompts import class_prompts, task_prompts


def test_known_classes_use_report_wording_in_both_languages():
    prompts = class_prompts("Moderate NPDR")
    assert "诊断：糖尿病视网膜病变中度非增殖期。" in prompts
    assert "Diagnosis: Moderate non-proliferative diabetic retinopathy." in prompts


def test_unknown_class_falls_back_to_its_name_and_multilabel_gets_a_negative():
    assert "Diagnosis: Drusen cluster." in class_prompts("Drusen cluster")
    prompts = task_prompts(["glaucoma", "cataract"], multilabel=True)
    assert list(prompts) == ["glaucoma", "cataract", "absent"]
    assert "Diagnosis: No abnormality detected." in prompts["absent"]
